// What operators see of one service's dead letters on both brokers, and re-driving one: the core of /admin/dead-letters.
import { deadLetterTopicFor } from '@saga/contracts';
import type { CommandBus } from '../ports/command-bus.port';
import type { DeadLetter, RedriveOutcome } from '../ports/delivery.types';
import type { EventLog } from '../ports/event-log.port';
import { formatDeadLetterId, parseDeadLetterId, type DeadLetterBroker } from './dead-letter-id';

export type DeadLetterState = 'dead-lettered' | 'redriven';

export interface DeadLetterView {
  /** `<service>:<broker>:<letter id>`: names its owner, so the gateway can route a re-drive without asking around. */
  id: string;
  service: string;
  broker: DeadLetterBroker;
  /** The queue (RabbitMQ) or topic (Kafka) it was consumed from. */
  source: string;
  messageId?: string;
  type?: string;
  orderId?: string;
  reason: string;
  attempts?: number;
  deadLetteredAt: string;
  state: DeadLetterState;
  redrivenAt?: string;
  /** The bytes as they arrived (cut at 2,000 characters). */
  raw: string;
}

export interface DeadLetterListing {
  items: DeadLetterView[];
  counts: Record<DeadLetterState, number>;
  /** A broker that could not be read: the other one is still listed. */
  unavailable?: Partial<Record<DeadLetterBroker, string>>;
}

export interface DeadLetterAdminOptions {
  /** The service's name, the first part of every id. */
  service: string;
  commandBus: CommandBus;
  /** The queues this service consumes: its share of the dead-letter queue all services share. */
  queues: readonly string[];
  eventLog?: EventLog;
  /** Its consumer groups: each has a dead-letter topic of its own. */
  groups?: readonly string[];
}

export interface DeadLetterAdmin {
  list(): Promise<DeadLetterListing>;
  /** 'invalid-id' for an id that is not one at all (400); 'not-found' for another service's or an unknown one (404). */
  redrive(id: string): Promise<RedriveOutcome | 'invalid-id'>;
}

const RAW_LIMIT = 2_000;

export function createDeadLetterAdmin(options: DeadLetterAdminOptions): DeadLetterAdmin {
  const { service, commandBus, eventLog, groups = [] } = options;
  const view = (broker: DeadLetterBroker) => (letter: DeadLetter): DeadLetterView => ({
    ...summaryOf(letter.raw),
    ...(letter.messageId ? { messageId: letter.messageId } : {}),
    id: formatDeadLetterId({ service, broker, letterId: letter.id }),
    service,
    broker,
    source: letter.source,
    reason: letter.reason,
    ...(letter.attempts === undefined ? {} : { attempts: letter.attempts }),
    deadLetteredAt: letter.deadLetteredAt,
    state: letter.redrivenAt === undefined ? 'dead-lettered' : 'redriven',
    ...(letter.redrivenAt === undefined ? {} : { redrivenAt: letter.redrivenAt }),
    raw: letter.raw.length > RAW_LIMIT ? `${letter.raw.slice(0, RAW_LIMIT)}…` : letter.raw,
  });

  return {
    async list() {
      const [rabbit, kafka] = await Promise.allSettled([
        commandBus.peekDeadLetters().then((letters) => letters.filter((letter) => options.queues.includes(letter.source)).map(view('rabbitmq'))),
        Promise.all(groups.map((group) => eventLog?.deadLetters(group) ?? [])).then((lists) => lists.flat().map(view('kafka'))),
      ]);
      const unavailable: Partial<Record<DeadLetterBroker, string>> = {};
      if (rabbit.status === 'rejected') unavailable.rabbitmq = messageOf(rabbit.reason);
      if (kafka.status === 'rejected') unavailable.kafka = messageOf(kafka.reason);
      const items = [rabbit, kafka]
        .flatMap((result) => (result.status === 'fulfilled' ? result.value : []))
        .sort((a, b) => a.deadLetteredAt.localeCompare(b.deadLetteredAt));
      const redriven = items.filter((item) => item.state === 'redriven').length;
      return {
        items,
        counts: { 'dead-lettered': items.length - redriven, redriven },
        ...(Object.keys(unavailable).length > 0 ? { unavailable } : {}),
      };
    },

    async redrive(id) {
      const parsed = parseDeadLetterId(id);
      if (!parsed) return 'invalid-id';
      if (parsed.service !== service) return 'not-found';
      if (parsed.broker === 'rabbitmq') {
        // The queue is shared: a letter from another service's queue is not ours to send back.
        const letter = (await commandBus.peekDeadLetters()).find((candidate) => candidate.id === parsed.letterId);
        if (!letter || !options.queues.includes(letter.source)) return 'not-found';
        return commandBus.redriveDeadLetter(parsed.letterId);
      }
      const group = groups.find((candidate) => parsed.letterId.startsWith(`${deadLetterTopicFor(candidate)}:`));
      if (!eventLog || !group) return 'not-found';
      return eventLog.redriveDeadLetter(group, parsed.letterId);
    },
  };
}

/** Type and order id from the bytes, when they are JSON enough to say (an invalid envelope may still have them). */
function summaryOf(raw: string): { type?: string; orderId?: string } {
  try {
    const parsed = JSON.parse(raw) as { type?: unknown; correlationId?: unknown } | null;
    return {
      ...(typeof parsed?.type === 'string' ? { type: parsed.type } : {}),
      ...(typeof parsed?.correlationId === 'string' ? { orderId: parsed.correlationId } : {}),
    };
  } catch {
    return {};
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
