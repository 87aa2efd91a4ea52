// The Kafka adapter on a real broker when handlers are slow: a handler longer than the session timeout keeps the
// group membership (the adapter heartbeats while it runs), so nothing is redelivered and the consumer never crashes.
import { randomUUID } from 'node:crypto';
import { createEnvelope } from '@saga/contracts';
import { eventually } from '../testing/eventually';
import { KafkaEventLog } from './kafka-event-log';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

describe('Kafka consumer: slow handlers', () => {
  jest.setTimeout(90_000);
  const run = randomUUID().slice(0, 8);
  const topic = `slow-${run}`;
  const warnings: string[] = [];
  let log: KafkaEventLog;

  beforeAll(async () => {
    // A 6 s session: the first handler below takes 9 s.
    log = await KafkaEventLog.connect({
      brokers,
      clientId: `slow-test-${run}`,
      heartbeatIntervalMs: 500,
      sessionTimeoutMs: 6_000,
      maxWaitTimeMs: 250,
      log: (level, message, extra) => {
        if (level !== 'info') warnings.push(`${message} ${JSON.stringify(extra)}`);
      },
    });
    await log.ensureTopics([{ name: topic, partitions: 1 }]);
  });
  afterAll(async () => {
    await log.close();
  });

  it('a handler slower than the session timeout keeps its membership: every event handled once, the consumer never crashes', async () => {
    const handled: number[] = [];
    const running: boolean[] = [];
    const subscription = await log.subscribe({
      groupId: `slow-group-${run}`,
      topics: [topic],
      fromBeginning: true,
      handle: async ({ envelope }) => {
        const { n } = envelope.payload as { n: number };
        if (n === 1) await new Promise((resolve) => setTimeout(resolve, 9_000));
        handled.push(n);
      },
    });
    const probe = setInterval(() => running.push(subscription.isRunning()), 250);
    try {
      await log.publish(topic, [1, 2, 3].map((n) => ({ key: 'k', envelope: createEnvelope('Slow', 1, { n }, { correlationId: 'k' }) })));
      await eventually(() => expect(handled).toEqual([1, 2, 3]), 40_000, 200);
      // Long enough for a lost member's redelivery to show up.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(handled).toEqual([1, 2, 3]);
      expect(running.every(Boolean)).toBe(true);
      expect(warnings.filter((w) => /crash|not aware of this member|rebalanc|commit refused/i.test(w))).toEqual([]);
    } finally {
      clearInterval(probe);
      await subscription.close();
    }
  });
});
