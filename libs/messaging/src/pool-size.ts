// A service's database pool size, derived from how much of its work can hold a connection at the same moment.

/** What the adapters use when a consumer does not say: RabbitMQ prefetch, kafkajs partitions consumed concurrently. */
export const DEFAULT_PREFETCH = 10;
export const DEFAULT_PARTITIONS_CONSUMED_CONCURRENTLY = 3;

/** One outbox relay: a connection per lane (commands, events) while it claims or marks rows, one for housekeeping. */
export const OUTBOX_RELAY_CONNECTIONS = 3;

export interface PoolDemand {
  /** Prefetch of each RabbitMQ consumer: that many handlers may run at once, each holding one connection at a time. */
  rabbitPrefetch: readonly number[];
  /** Each Kafka subscription: kafkajs runs one handler per partition, up to `concurrency` partitions at once. */
  kafka: readonly { concurrency: number; partitions: number }[];
  /** Outbox relays in the process. */
  outboxRelays: number;
  /** Timers that query on their own: deadline scanner, reconciliation… */
  background: number;
  /** HTTP requests and anything not counted above (DB_POOL_HTTP_HEADROOM). */
  httpHeadroom: number;
}

export interface PoolSize {
  max: number;
  /** The terms, logged at start so an operator can see where the number comes from. */
  parts: { rabbitmq: number; kafka: number; outbox: number; background: number; http: number };
}

/**
 * max = Σ prefetch + Σ min(concurrency, partitions) + relays × 3 + background + headroom. A pool smaller than that lets
 * handlers wait for a connection (which then counts against their attempt); the LISTEN connection is outside the pool.
 */
export function derivePoolSize(demand: PoolDemand): PoolSize {
  const sum = (values: readonly number[]) => values.reduce((total, n) => total + n, 0);
  const parts = {
    rabbitmq: sum(demand.rabbitPrefetch),
    kafka: sum(demand.kafka.map(({ concurrency, partitions }) => Math.min(concurrency, partitions))),
    outbox: demand.outboxRelays * OUTBOX_RELAY_CONNECTIONS,
    background: demand.background,
    http: demand.httpHeadroom,
  };
  return { max: Math.max(1, sum(Object.values(parts))), parts };
}
