// Kafka adapter of the EventLog port (kafkajs): acks=all idempotent producer, manual offset commits after the handler.
import { deadLetterTopicFor, encodeEnvelope, redriveTopicFor } from '@saga/contracts';
import { backoffDelay } from '@saga/resilience';
import { Kafka, logLevel as kafkaLogLevel, Partitioners, type Admin, type Consumer, type EachMessagePayload, type Producer } from 'kafkajs';
import { deliver, resolvePolicy } from '../delivery';
import { DEFAULT_KAFKA_REBALANCE_TIMEOUT_MS } from '../delivery-bounds';
import { DEFAULT_PARTITIONS_CONSUMED_CONCURRENTLY } from '../pool-size';
import type { ConsumerLag, EventLog, EventSubscription, OutgoingEvent, TopicSpec } from '../ports/event-log.port';
import type { DeadLetter, RedriveOutcome, RetryPolicy, Subscription } from '../ports/delivery.types';
import { deadLetterHeaders, listGroupDeadLetters, originalTopicOf, redriveGroupDeadLetter } from './dead-letter-topic';

export interface KafkaEventLogOptions {
  brokers: readonly string[];
  clientId: string;
  /** Lower values make rebalances (a member joining or leaving) faster, at the cost of more heartbeats. */
  heartbeatIntervalMs?: number;
  sessionTimeoutMs?: number;
  /** How long the group waits for members to rejoin a rebalance; one handler attempt must end within it (checked at start). */
  rebalanceTimeoutMs?: number;
  /** Longest a fetch waits for new events; it also bounds how long closing a consumer takes. */
  maxWaitTimeMs?: number;
  /** How many partitions one consumer works on at once; order is kept within each partition. */
  partitionsConsumedConcurrently?: number;
  log?: (level: 'error' | 'warn' | 'info', message: string, extra: Record<string, unknown>) => void;
}

const levelNames: Partial<Record<number, 'error' | 'warn' | 'info'>> = {
  [kafkaLogLevel.ERROR]: 'error',
  [kafkaLogLevel.WARN]: 'warn',
  [kafkaLogLevel.INFO]: 'info',
};

export class KafkaEventLog implements EventLog {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly consumers = new Set<Consumer>();
  private readonly knownTopics = new Set<string>();

  private constructor(private readonly options: KafkaEventLogOptions) {
    const log = options.log;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      logLevel: log ? kafkaLogLevel.WARN : kafkaLogLevel.NOTHING,
      logCreator: () => (entry) => log?.(levelNames[entry.level] ?? 'info', entry.log.message, { namespace: entry.namespace }),
      retry: { initialRetryTime: 100, retries: 8 },
    });
    // Idempotent producer: a retried send after a lost ack is not written twice (requires acks=all).
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    this.admin = this.kafka.admin();
  }

  static async connect(options: KafkaEventLogOptions): Promise<KafkaEventLog> {
    const log = new KafkaEventLog(options);
    await Promise.all([log.producer.connect(), log.admin.connect()]);
    return log;
  }

  async ensureTopics(specs: readonly TopicSpec[]): Promise<void> {
    const existing = new Set(await this.admin.listTopics());
    for (const spec of specs) if (existing.has(spec.name)) this.knownTopics.add(spec.name);
    // Asking to create a topic that exists makes the broker answer an error that kafkajs logs; ask only for new ones.
    const missing = specs.filter((spec) => !this.knownTopics.has(spec.name));
    if (missing.length === 0) return;
    // createTopics leaves existing topics alone, so every instance of a service may call this at start-up. A broker
    // that has just started may not know a topic it created yet when kafkajs waits for its leaders
    // (UNKNOWN_TOPIC_OR_PARTITION): asking again shortly after succeeds.
    await whileTopicsSettle(() =>
      this.admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((spec) => ({ topic: spec.name, numPartitions: spec.partitions, replicationFactor: -1 })),
      }),
    );
    for (const spec of missing) this.knownTopics.add(spec.name);
  }

  async publish(topic: string, events: readonly OutgoingEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.producer.send({
      topic,
      acks: -1,
      messages: events.map((event) => ({
        key: event.key,
        value: encodeEnvelope(event.envelope),
        headers: { type: event.envelope.type, 'message-id': event.envelope.messageId, ...(event.traceparent === undefined ? {} : { traceparent: event.traceparent }) },
      })),
    });
  }

  /**
   * A supervised consumer: it heartbeats while a handler runs (a slow handler never costs the group membership), and
   * when kafkajs gives up on it (a crash it will not restart itself) it is rebuilt with backoff. isRunning() is false
   * from a crash until the group is joined again, so the service reports itself not ready meanwhile.
   */
  async subscribe(subscription: EventSubscription): Promise<Subscription> {
    const deadLetterTopic = deadLetterTopicFor(subscription.groupId);
    await this.ensureTopics([{ name: deadLetterTopic, partitions: 1 }, { name: redriveTopicFor(subscription.groupId), partitions: 1 }]);
    const policy = resolvePolicy(subscription.retry);
    const log = this.options.log;
    const state: { stopped: boolean; running: boolean; consumer?: Consumer; failures: number; restartTimer?: NodeJS.Timeout } = {
      stopped: false,
      running: false,
      failures: 0,
    };

    const start = async (): Promise<void> => {
      const consumer = this.kafka.consumer({
        groupId: subscription.groupId,
        heartbeatInterval: this.options.heartbeatIntervalMs ?? 1_000,
        sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
        rebalanceTimeout: this.options.rebalanceTimeoutMs ?? DEFAULT_KAFKA_REBALANCE_TIMEOUT_MS,
        maxWaitTimeInMs: this.options.maxWaitTimeMs ?? 1_000,
        // A saga's events are about a kilobyte each; kafkajs' defaults (10 MB a fetch, 1 MB a partition) only matter when
        // a group reads a backlog, as a new order timeline does from offset 0, and there the decoded batches grew the
        // order service to 327 MB resident on a long-lived broker (261 MB at these). The broker still returns a record
        // larger than the limit, alone (KIP-74).
        maxBytes: 1024 * 1024,
        maxBytesPerPartition: 128 * 1024,
        retry: { retries: 10 },
      });
      state.consumer = consumer;
      this.consumers.add(consumer);
      const joined = new Promise<void>((resolve) => {
        consumer.on(consumer.events.GROUP_JOIN, () => {
          state.running = true;
          state.failures = 0;
          resolve();
        });
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        state.running = false;
        log?.('warn', 'Kafka consumer crashed', { group: subscription.groupId, error: payload.error.message, restartedByClient: payload.restart });
        // kafkajs restarts itself after a retriable error; anything else would leave the group without this member.
        if (!payload.restart && !state.stopped && state.consumer === consumer) scheduleRestart(consumer);
      });
      await consumer.connect();
      // Subscribing reads the topics' metadata, which a broker that just created them may not have yet (the same
      // UNKNOWN_TOPIC_OR_PARTITION as above: it killed a service at start-up under docker compose).
      await whileTopicsSettle(() => consumer.subscribe({ topics: [...subscription.topics], fromBeginning: subscription.fromBeginning }));
      // Re-driven letters always from the start: a group with no offset there yet must not skip one sent meanwhile.
      await whileTopicsSettle(() => consumer.subscribe({ topics: [redriveTopicFor(subscription.groupId)], fromBeginning: true }));
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? DEFAULT_PARTITIONS_CONSUMED_CONCURRENTLY,
        eachMessage: (payload) => this.consumeOne(subscription, consumer, payload, policy, () => state.stopped),
      });
      await joined;
    };

    const scheduleRestart = (crashed: Consumer): void => {
      state.failures += 1;
      const delayMs = backoffDelay(state.failures, { baseDelayMs: 500, maxDelayMs: 15_000, jitter: 'full' });
      log?.('warn', 'rebuilding the Kafka consumer', { group: subscription.groupId, attempt: state.failures, delayMs });
      state.restartTimer = setTimeout(() => {
        state.restartTimer = undefined;
        void (async () => {
          this.consumers.delete(crashed);
          await crashed.disconnect().catch(() => undefined);
          if (state.stopped) return;
          try {
            await start();
            log?.('info', 'Kafka consumer rebuilt', { group: subscription.groupId });
          } catch (error) {
            log?.('error', 'could not rebuild the Kafka consumer; trying again', { group: subscription.groupId, error: String(error) });
            if (!state.stopped && state.consumer) scheduleRestart(state.consumer);
          }
        })();
      }, delayMs);
    };

    await start();
    return {
      close: async () => {
        state.stopped = true;
        state.running = false;
        clearTimeout(state.restartTimer);
        const consumer = state.consumer;
        if (!consumer) return;
        this.consumers.delete(consumer);
        await consumer.disconnect();
      },
      isRunning: () => state.running && !state.stopped,
    };
  }

  /** One event: run the handler (heartbeating meanwhile), dead-letter it if it must be, then commit its offset. */
  private async consumeOne(
    subscription: EventSubscription,
    consumer: Consumer,
    { topic, partition, message, heartbeat }: EachMessagePayload,
    policy: RetryPolicy,
    isStopped: () => boolean,
  ): Promise<void> {
    if (isStopped()) return;
    const deadLetterTopic = deadLetterTopicFor(subscription.groupId);
    // A handler may take longer than the session timeout (a slow provider, retries): keep the membership alive.
    // heartbeat() only calls the coordinator once per heartbeat interval, and fails during a rebalance, which is fine.
    const beating = setInterval(() => void heartbeat().catch(() => undefined), this.options.heartbeatIntervalMs ?? 1_000);
    let outcome: Awaited<ReturnType<typeof deliver>>;
    let attempts = 0;
    try {
      const traceparent = message.headers?.traceparent?.toString();
      outcome = await deliver({
        raw: message.value,
        policy,
        trace: {
          system: 'kafka',
          destination: topic,
          ...(traceparent ? { traceparent } : {}),
          attributes: { 'messaging.consumer.group.name': subscription.groupId, 'messaging.destination.partition.id': String(partition), 'messaging.kafka.offset': Number(message.offset) },
        },
        isStopped,
        onWait: heartbeat,
        onSlowAttempt: (slow) => this.options.log?.('error', 'handler attempt exceeded its bound; the I/O timeouts inside it should end it', { group: subscription.groupId, topic, partition, ...slow }),
        handle: (envelope, attempt) => {
          attempts = attempt;
          // A re-driven event is handed over as from the topic it was first published on: handlers route by topic.
          const from = originalTopicOf(topic, subscription.groupId, message.headers);
          return subscription.handle({ topic: from, partition, offset: message.offset, key: message.key?.toString('utf8') ?? '', envelope, attempt });
        },
      });
    } finally {
      clearInterval(beating);
    }
    // Not committed: after a restart or rebalance the group starts again at this event.
    if (outcome.kind === 'stopped') return;
    if (outcome.kind === 'dead-letter') {
      this.options.log?.('warn', 'event dead-lettered', { group: subscription.groupId, topic, partition, offset: message.offset, reason: outcome.reason, deadLetterTopic });
      await this.producer.send({
        topic: deadLetterTopic,
        acks: -1,
        messages: [{
          key: message.key,
          value: message.value,
          headers: deadLetterHeaders({ groupId: subscription.groupId, topic, partition, message, reason: outcome.reason, attempts, ...(outcome.messageId ? { messageId: outcome.messageId } : {}) }),
        }],
      });
    }
    try {
      await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
    } catch (error) {
      // The partition moved to another member meanwhile (a rebalance): it gets the event again, and the inbox drops
      // the duplicate. Throwing here would crash the whole consumer over a commit that no longer matters.
      this.options.log?.('warn', 'offset commit refused; the event will be delivered again', { group: subscription.groupId, topic, partition, offset: message.offset, error: String(error) });
    }
  }

  async deadLetters(groupId: string): Promise<DeadLetter[]> {
    return listGroupDeadLetters({ kafka: this.kafka, admin: this.admin }, groupId);
  }

  async redriveDeadLetter(groupId: string, id: string): Promise<RedriveOutcome> {
    return redriveGroupDeadLetter({ kafka: this.kafka, admin: this.admin, producer: this.producer }, groupId, id);
  }

  async consumerLag(groupId: string, topics: readonly string[]): Promise<ConsumerLag[]> {
    const committed = await this.admin.fetchOffsets({ groupId, topics: [...topics] });
    const lags: ConsumerLag[] = [];
    for (const { topic, partitions } of committed) {
      const ends = new Map((await this.admin.fetchTopicOffsets(topic)).map((end) => [end.partition, Number(end.high)]));
      // "-1": the group has no offset on that partition yet.
      const known = partitions.filter((partition) => Number(partition.offset) >= 0);
      if (known.length === 0) continue;
      lags.push({ topic, lag: known.reduce((sum, partition) => sum + Math.max(0, (ends.get(partition.partition) ?? 0) - Number(partition.offset)), 0) });
    }
    return lags;
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((consumer) => consumer.disconnect()));
    this.consumers.clear();
    await Promise.all([this.producer.disconnect(), this.admin.disconnect()]);
  }
}

/**
 * Runs a call that needs topics a broker may have just created, again while it answers a transient error (kafkajs's
 * `retriable`, UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE): 6 attempts over about 4 s, then the error.
 */
async function whileTopicsSettle<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const { type, retriable } = (error ?? {}) as { type?: unknown; retriable?: unknown };
      const transient = retriable === true || type === 'UNKNOWN_TOPIC_OR_PARTITION' || type === 'LEADER_NOT_AVAILABLE';
      if (!transient || attempt >= 6) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}
