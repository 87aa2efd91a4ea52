// Pool sizes follow from what can hold a connection at once, term by term.
import { derivePoolSize } from './pool-size';

describe('derivePoolSize', () => {
  it('adds prefetch, the partitions kafkajs works on at once, relay lanes, timers and headroom', () => {
    expect(derivePoolSize({
      rabbitPrefetch: [10],
      kafka: [{ concurrency: 6, partitions: 6 }],
      outboxRelays: 1,
      background: 1,
      httpHeadroom: 5,
    })).toEqual({ max: 25, parts: { rabbitmq: 10, kafka: 6, outbox: 3, background: 1, http: 5 } });
  });

  it('never counts more Kafka handlers than there are partitions to run them on', () => {
    expect(derivePoolSize({ rabbitPrefetch: [], kafka: [{ concurrency: 10, partitions: 3 }, { concurrency: 3, partitions: 12 }], outboxRelays: 0, background: 0, httpHeadroom: 1 }).parts.kafka).toBe(6);
  });

  it('is at least one', () => {
    expect(derivePoolSize({ rabbitPrefetch: [], kafka: [], outboxRelays: 0, background: 0, httpHeadroom: 0 }).max).toBe(1);
  });
});
