// Test fixtures for the outbox: a migrated PGlite database, message factories and transports that record publish order.
import { createEnvelope, type MessageEnvelope } from '@saga/contracts';
import { createPgliteClient, migrate, type SqlClient } from '@saga/db';
import { InMemoryCommandBus } from '../../in-memory/in-memory-command-bus';
import { InMemoryEventLog } from '../../in-memory/in-memory-event-log';
import type { CommandBus } from '../../ports/command-bus.port';
import type { EventLog } from '../../ports/event-log.port';
import type { OutboxMessage } from '../enqueue-outbox';
import { messagingMigrations } from '../outbox-migrations';

export async function migratedPglite(): Promise<SqlClient> {
  const db = await createPgliteClient();
  await migrate(db, messagingMigrations);
  return db;
}

export const envelopeFor = (n: number, correlationId = 'order-1'): MessageEnvelope<{ n: number }> =>
  createEnvelope('TestMessage', 1, { n }, { correlationId });

export const eventMessage = (n: number, topic = 'orders', key = 'order-1'): OutboxMessage =>
  ({ transport: 'event', topic, key, envelope: envelopeFor(n, key) });

export const commandMessage = (n: number, routingKey = 'test.do', replyTo?: string): OutboxMessage =>
  ({ transport: 'command', routingKey, envelope: envelopeFor(n), ...(replyTo ? { replyTo } : {}) });

export const numberOf = (envelope: MessageEnvelope): number => (envelope.payload as { n: number }).n;

/** The in-memory twins behind decorators that log every confirmed publish, in the order the relay made them. */
export function recordingTransports(): { commandBus: CommandBus; eventLog: EventLog; memoryBus: InMemoryCommandBus; published: number[] } {
  const bus = new InMemoryCommandBus();
  const log = new InMemoryEventLog();
  const published: number[] = [];
  const commandBus: CommandBus = {
    ensureQueue: (spec) => bus.ensureQueue(spec),
    send: async (routingKey, envelope, options) => {
      await bus.send(routingKey, envelope, options);
      published.push(numberOf(envelope));
    },
    consume: (consumer) => bus.consume(consumer),
    peekDeadLetters: () => bus.peekDeadLetters(),
    redriveDeadLetter: (id) => bus.redriveDeadLetter(id),
    close: () => bus.close(),
  };
  const eventLog: EventLog = {
    ensureTopics: (specs) => log.ensureTopics(specs),
    publish: async (topic, events) => {
      await log.publish(topic, events);
      published.push(...events.map((event) => numberOf(event.envelope)));
    },
    subscribe: (subscription) => log.subscribe(subscription),
    deadLetters: (groupId) => log.deadLetters(groupId),
    redriveDeadLetter: (groupId, id) => log.redriveDeadLetter(groupId, id),
    consumerLag: (groupId, topics) => log.consumerLag(groupId, topics),
    close: () => log.close(),
  };
  return { commandBus, eventLog, memoryBus: bus, published };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
