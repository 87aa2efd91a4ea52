// instrumentMessaging: what a scrape of /metrics shows about a service's outbox, inbox, dead letters, consumers and lag.
import { createEnvelope } from '@saga/contracts';
import type { SqlClient } from '@saga/db';
import { createMetrics, type Metrics } from '@saga/metrics';
import { deliver, resolvePolicy } from './delivery';
import { InMemoryEventLog } from './in-memory/in-memory-event-log';
import { markProcessed, wasProcessed } from './inbox/idempotent-inbox';
import { instrumentMessaging } from './messaging-metrics';
import { enqueueOutbox } from './outbox/enqueue-outbox';
import { commandMessage, eventMessage, migratedPglite } from './outbox/testing/outbox-fixtures';
import type { Subscription } from './ports/delivery.types';
import { eventually } from './testing/eventually';

/** One series' value as a scrape shows it; undefined while absent. */
async function scraped(metrics: Metrics, series: string): Promise<number | undefined> {
  const line = (await metrics.registry.metrics()).split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('instrumentMessaging', () => {
  let db: SqlClient;
  let stops: (() => void)[] = [];
  const instrument = (metrics: Metrics, options: Parameters<typeof instrumentMessaging>[1]) => {
    const stop = instrumentMessaging(metrics, options);
    stops.push(stop);
    return stop;
  };

  beforeAll(async () => {
    db = await migratedPglite();
  });
  afterEach(() => {
    stops.forEach((stop) => stop());
    stops = [];
  });
  afterAll(async () => {
    await db.close();
  });

  it('shows the outbox backlog per lane from the database: rows waiting, the oldest one\'s age, rows parked', async () => {
    const metrics = createMetrics({ service: 'inventory', defaultMetrics: false });
    instrument(metrics, { db });
    expect(await scraped(metrics, 'outbox_pending_messages{service="inventory",lane="command"}')).toBe(0);
    await db.transaction((tx) => enqueueOutbox(tx, [commandMessage(1), commandMessage(2), eventMessage(3)]));
    await db.query("UPDATE outbox SET created_at = now() - interval '42 seconds' WHERE transport = 'command'");
    await db.query("UPDATE outbox SET parked_at = now() WHERE transport = 'event'");
    // The three gauges share one query per scrape; a later scrape reads again.
    await eventually(async () => expect(await scraped(metrics, 'outbox_pending_messages{service="inventory",lane="command"}')).toBe(2));
    expect(await scraped(metrics, 'outbox_oldest_pending_age_seconds{service="inventory",lane="command"}')).toBeGreaterThanOrEqual(42);
    expect(await scraped(metrics, 'outbox_pending_messages{service="inventory",lane="event"}')).toBe(0);
    expect(await scraped(metrics, 'outbox_parked_messages{service="inventory",lane="event"}')).toBe(1);
  });

  it('counts the duplicates its own inbox dropped, not another service\'s (the embedded platform shares one process)', async () => {
    const metrics = createMetrics({ service: 'inventory', defaultMetrics: false });
    instrument(metrics, {});
    await db.transaction(async (tx) => {
      expect(await markProcessed(tx, 'inventory.commands', 'm-1')).toBe(true);
      expect(await markProcessed(tx, 'inventory.commands', 'm-1')).toBe(false);
      await markProcessed(tx, 'order.saga-replies', 'm-2');
      await markProcessed(tx, 'order.saga-replies', 'm-2');
    });
    expect(await wasProcessed(db, 'inventory.commands', 'm-1')).toBe(true);
    expect(await scraped(metrics, 'inbox_duplicates_dropped_total{service="inventory",consumer="inventory.commands"}')).toBe(2);
    expect(await scraped(metrics, 'inbox_duplicates_dropped_total{service="inventory",consumer="order.saga-replies"}')).toBeUndefined();
  });

  it('counts what its consumers dead-letter, by broker, source and reason', async () => {
    const metrics = createMetrics({ service: 'payment', defaultMetrics: false });
    instrument(metrics, {});
    const policy = { ...resolvePolicy({ maxAttempts: 1 }), attemptTimeoutMs: 1_000 };
    const trace = { system: 'rabbitmq' as const, destination: 'payment.commands' };
    await deliver({ raw: 'not json', policy, isStopped: () => false, handle: async () => undefined, trace });
    await deliver({ raw: JSON.stringify(createEnvelope('ChargePayment', 1, {}, { correlationId: 'o-1' })), policy, isStopped: () => false, handle: async () => { throw new Error('boom'); }, trace });
    expect(await scraped(metrics, 'messages_dead_lettered_total{service="payment",broker="rabbitmq",source="payment.commands",reason="invalid_envelope"}')).toBe(1);
    expect(await scraped(metrics, 'messages_dead_lettered_total{service="payment",broker="rabbitmq",source="payment.commands",reason="handler_failed"}')).toBe(1);
  });

  it('shows whether each consumer is attached, and the lag of its groups; nothing once stopped', async () => {
    const metrics = createMetrics({ service: 'notification', defaultMetrics: false });
    const log = new InMemoryEventLog();
    await log.ensureTopics([{ name: 'orders.events.v1', partitions: 1 }]);
    let handled = 0;
    const subscription = await log.subscribe({ groupId: 'notification-service', topics: ['orders.events.v1'], fromBeginning: true, handle: async () => void (handled += 1) });
    const attached: Subscription = { close: () => Promise.resolve(), isRunning: () => true };
    const rebuilding: Subscription = { close: () => Promise.resolve(), isRunning: () => false };
    const stop = instrument(metrics, { consumers: () => ({ commands: attached, events: rebuilding, never: undefined }), lag: { eventLog: log, groups: [{ groupId: 'notification-service', topics: ['orders.events.v1'] }], cacheMs: 0 } });
    await log.publish('orders.events.v1', [{ key: 'o-1', envelope: createEnvelope('OrderApproved', 1, {}, { correlationId: 'o-1' }) }]);
    await eventually(() => expect(handled).toBe(1));
    await subscription.close();
    await log.publish('orders.events.v1', [1, 2].map((n) => ({ key: `o-${n}`, envelope: createEnvelope('OrderApproved', 1, {}, { correlationId: `o-${n}` }) })));
    expect(await scraped(metrics, 'messaging_consumer_running{service="notification",consumer="commands"}')).toBe(1);
    expect(await scraped(metrics, 'messaging_consumer_running{service="notification",consumer="events"}')).toBe(0);
    expect(await scraped(metrics, 'messaging_consumer_running{service="notification",consumer="never"}')).toBeUndefined();
    expect(await scraped(metrics, 'kafka_consumer_group_lag{service="notification",group="notification-service",topic="orders.events.v1"}')).toBe(2);
    stop();
    expect(await scraped(metrics, 'kafka_consumer_group_lag{service="notification",group="notification-service",topic="orders.events.v1"}')).toBeUndefined();
    await log.close();
  });
});
