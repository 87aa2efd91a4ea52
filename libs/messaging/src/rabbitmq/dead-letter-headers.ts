// What a RabbitMQ dead letter carries and how it reads back, whoever parked it: our consumer or the broker itself.
import { createHash, randomUUID } from 'node:crypto';
import type { ConsumeMessage, Message } from 'amqplib';
import { letterHeaders } from '../dead-letters/letter-records';
import type { DeadLetter } from '../ports/delivery.types';

interface XDeathEntry {
  reason?: string;
  queue?: string;
  time?: { value?: number } | Date;
}

type Headers = Record<string, unknown>;
const headersOf = (message: Message): Headers => (message.properties.headers ?? {}) as Headers;
const deathOf = (headers: Headers) => (Array.isArray(headers['x-death']) ? (headers['x-death'][0] as XDeathEntry) : undefined);
const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** The message's own properties worth keeping: a re-driven command still needs its reply address. */
function keptProperties(message: Message): { messageId?: string; type?: string; correlationId?: string; replyTo?: string } {
  const kept: Record<string, string> = {};
  for (const name of ['messageId', 'type', 'correlationId', 'replyTo'] as const) {
    const value = text(message.properties[name]);
    if (value) kept[name] = value;
  }
  return kept;
}

/** The properties our consumer publishes a dead letter with: the original's, plus why, from where, and its own id. */
export function deadLetterProperties(message: ConsumeMessage, queue: string, outcome: { reason: string; attempts: number; messageId?: string }) {
  return {
    ...keptProperties(message),
    ...(outcome.messageId ? { messageId: outcome.messageId } : {}),
    headers: {
      [letterHeaders.id]: randomUUID(),
      [letterHeaders.error]: outcome.reason,
      [letterHeaders.attempts]: String(outcome.attempts),
      [letterHeaders.originalQueue]: queue,
      [letterHeaders.originalRoutingKey]: message.fields.routingKey,
      [letterHeaders.deadLetteredAt]: new Date().toISOString(),
    },
  };
}

/** A letter going back to its queue: the original's properties, and which letter it was. */
export function redriveProperties(letter: Message, id: string) {
  return { ...keptProperties(letter), headers: { [letterHeaders.redrivenFrom]: id } };
}

/** The queue a letter came from (ours say it in a header; the broker's in x-death), where a re-drive sends it. */
export function sourceQueueOf(message: Message): string {
  const headers = headersOf(message);
  return text(headers[letterHeaders.originalQueue]) ?? String(headers['x-first-death-queue'] ?? deathOf(headers)?.queue ?? '');
}

export function toDeadLetter(message: Message): DeadLetter {
  const headers = headersOf(message);
  const death = deathOf(headers);
  // Our consumers say why in x-error; the broker (delivery limit exceeded, i.e. a consumer crash loop) only says x-death.
  const reason = text(headers[letterHeaders.error]) ?? `BROKER_DEAD_LETTERED: ${death?.reason ?? 'unknown'}`;
  const messageId = message.properties.messageId ? String(message.properties.messageId) : undefined;
  const deadLetteredAt = text(headers[letterHeaders.deadLetteredAt]) ?? deathTime(death);
  const attempts = Number(headers[letterHeaders.attempts]);
  return {
    id: text(headers[letterHeaders.id]) ?? brokerLetterId(message, deadLetteredAt),
    raw: message.content.toString('utf8'),
    reason,
    source: sourceQueueOf(message),
    ...(messageId && !messageId.startsWith('raw-') ? { messageId } : {}),
    ...(headers[letterHeaders.attempts] !== undefined && Number.isInteger(attempts) ? { attempts } : {}),
    deadLetteredAt,
  };
}

/** A letter the broker parked has no id header: the same hash of its death every time it is read. */
function brokerLetterId(message: Message, deadLetteredAt: string): string {
  const hash = createHash('sha256');
  for (const part of [String(message.properties.messageId ?? ''), sourceQueueOf(message), deadLetteredAt]) hash.update(part).update('\0');
  return `broker-${hash.update(message.content).digest('hex').slice(0, 32)}`;
}

function deathTime(death: XDeathEntry | undefined): string {
  const time = death?.time;
  if (time instanceof Date) return time.toISOString();
  if (time && typeof time.value === 'number') return new Date(time.value * 1000).toISOString();
  return '';
}
