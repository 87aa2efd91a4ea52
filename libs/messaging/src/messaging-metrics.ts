// A service's messaging in Prometheus: outbox backlog per lane, duplicates its inbox dropped, what its consumers
// dead-lettered, whether each consumer is attached, and its Kafka consumer groups' lag.
import { eventTopicSpecs } from '@saga/contracts';
import type { SqlClient } from '@saga/db';
import { addGaugeSource, counterOf, type Metrics } from '@saga/metrics';
import { onMessagingSignals, serviceOfDeadLetter, serviceOfInboxConsumer } from './messaging-signals';
import type { Subscription } from './ports/delivery.types';
import type { EventLog } from './ports/event-log.port';

export interface MessagingMetricsOptions {
  /** The service's database: the backlog of its outbox, per lane. */
  db?: SqlClient;
  /** The service's consumers by name, read at each scrape (undefined: not started). */
  consumers?: () => Record<string, Subscription | undefined>;
  /** The lag of the service's consumer groups, read from the log at most every `cacheMs` (default 5 s). */
  lag?: { eventLog: EventLog; groups: readonly { groupId: string; topics: readonly string[] }[]; cacheMs?: number };
}

const lanes = ['command', 'event'] as const;

/**
 * A service's usual wiring: its outbox, its consumers, and its consumer group's lag on every event topic when it has
 * an event log. Without metrics nothing is recorded; returns the function that stops recording.
 */
export function instrumentServiceMessaging(
  metrics: Metrics | undefined,
  service: { db: SqlClient; consumers: () => Record<string, Subscription | undefined>; eventLog?: EventLog; groupId: string },
): () => void {
  if (!metrics) return () => undefined;
  const topics = eventTopicSpecs().map((spec) => spec.name);
  const { db, consumers, eventLog, groupId } = service;
  return instrumentMessaging(metrics, { db, consumers, ...(eventLog ? { lag: { eventLog, groups: [{ groupId, topics }] } } : {}) });
}

/** Starts recording; returns the function that stops it (a stopped service is no longer read nor counted). */
export function instrumentMessaging(metrics: Metrics, options: MessagingMetricsOptions): () => void {
  const service = metrics.service;
  const duplicates = counterOf(metrics, { name: 'inbox_duplicates_dropped_total', help: 'Messages the idempotent inbox dropped because they had been processed before.', labelNames: ['consumer'] });
  const deadLettered = counterOf(metrics, { name: 'messages_dead_lettered_total', help: 'Messages a consumer dead-lettered, by broker, queue or topic, and why.', labelNames: ['broker', 'source', 'reason'] });
  // Signals come from every service of the process (the embedded platform has four): count only this one's.
  const stops = [
    onMessagingSignals({
      duplicateDropped: (signal) => {
        if (serviceOfInboxConsumer(signal.consumer) === service) duplicates.inc({ service, consumer: signal.consumer });
      },
      deadLettered: (signal) => {
        if (serviceOfDeadLetter(signal) === service) deadLettered.inc({ service, broker: signal.broker, source: signal.source, reason: signal.reason });
      },
    }),
  ];

  const { db, consumers, lag } = options;
  if (db) {
    const backlog = outboxBacklog(db);
    stops.push(
      addGaugeSource(metrics, { name: 'outbox_pending_messages', help: 'Outbox rows waiting to be published, per lane.', labelNames: ['lane'] }, async (gauge) => {
        for (const row of await backlog()) gauge.set({ service, lane: row.lane }, row.pending);
      }),
      addGaugeSource(metrics, { name: 'outbox_oldest_pending_age_seconds', help: 'Age of the oldest outbox row waiting to be published, per lane (0: none).', labelNames: ['lane'] }, async (gauge) => {
        for (const row of await backlog()) gauge.set({ service, lane: row.lane }, row.oldestSeconds);
      }),
      addGaugeSource(metrics, { name: 'outbox_parked_messages', help: 'Outbox rows parked for an operator (refused by the broker), per lane.', labelNames: ['lane'] }, async (gauge) => {
        for (const row of await backlog()) gauge.set({ service, lane: row.lane }, row.parked);
      }),
    );
  }
  if (consumers) {
    stops.push(addGaugeSource(metrics, { name: 'messaging_consumer_running', help: 'Whether each consumer is attached to its broker (1) or being rebuilt (0).', labelNames: ['consumer'] }, (gauge) => {
      for (const [consumer, subscription] of Object.entries(consumers())) if (subscription) gauge.set({ service, consumer }, subscription.isRunning() ? 1 : 0);
    }));
  }
  if (lag) {
    const readLag = cached(lag.cacheMs ?? 5_000, async () => (await Promise.all(lag.groups.map(async ({ groupId, topics }) => (await lag.eventLog.consumerLag(groupId, topics)).map((entry) => ({ groupId, ...entry }))))).flat());
    stops.push(addGaugeSource(metrics, { name: 'kafka_consumer_group_lag', help: 'Events published after the consumer group\'s last commit, per topic.', labelNames: ['group', 'topic'] }, async (gauge) => {
      for (const entry of await readLag()) gauge.set({ service, group: entry.groupId, topic: entry.topic }, entry.lag);
    }));
  }
  return () => stops.forEach((stop) => stop());
}

interface LaneBacklog {
  lane: (typeof lanes)[number];
  pending: number;
  parked: number;
  oldestSeconds: number;
}

/** One query per scrape for the three outbox gauges (each asks; the first one's answer serves the others). */
function outboxBacklog(db: SqlClient): () => Promise<LaneBacklog[]> {
  return cached(500, async () => {
    const { rows } = await db.query<{ lane: string; pending: number; parked: number; oldest: number }>(
      `SELECT transport AS lane,
              count(*) FILTER (WHERE parked_at IS NULL)::int AS pending,
              count(*) FILTER (WHERE parked_at IS NOT NULL)::int AS parked,
              COALESCE(EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE parked_at IS NULL)), 0)::float8 AS oldest
         FROM outbox WHERE published_at IS NULL GROUP BY transport`,
    );
    return lanes.map((lane) => {
      const row = rows.find((r) => r.lane === lane);
      return { lane, pending: row?.pending ?? 0, parked: row?.parked ?? 0, oldestSeconds: Math.max(0, Number(row?.oldest ?? 0)) };
    });
  });
}

/** The last answer for `ms`; concurrent callers share one read in flight. */
function cached<T>(ms: number, read: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (last && Date.now() - last.at < ms) return last.value;
    const value = read();
    last = { at: Date.now(), value };
    // A failed read is not kept: the next scrape tries again.
    value.catch(() => {
      if (last?.value === value) last = undefined;
    });
    return value;
  };
}
