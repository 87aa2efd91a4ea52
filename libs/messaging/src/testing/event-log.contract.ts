// Contract suite every EventLog adapter must pass: the Kafka adapter against a real broker, and its in-memory twin.
import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { createEnvelope, type MessageEnvelope } from '@saga/contracts';
import { fakeTraceparent, recordSpans } from '@saga/tracing/testing';
import type { ConsumedEvent, EventLog } from '../ports/event-log.port';
import { PoisonMessageError, type Subscription } from '../ports/delivery.types';
import { describeEventLogDeadLetters } from './event-log-dead-letters.contract';
import { eventually } from './eventually';

export interface EventLogHarness {
  log: EventLog;
  /** Writes bytes that are not a valid envelope, as a broken producer would. */
  publishRaw(topic: string, key: string, raw: string): Promise<void>;
  close(): Promise<void>;
}

const event = (key: string, n: number): { key: string; envelope: MessageEnvelope } => ({
  key,
  envelope: createEnvelope('TestHappened', 1, { key, n }, { correlationId: key }),
});
const payloadOf = (consumed: ConsumedEvent) => consumed.envelope.payload as { key: string; n: number };

export function describeEventLogContract(name: string, createHarness: () => Promise<EventLogHarness>, timeoutMs = 30_000): void {
  describe(`EventLog contract: ${name}`, () => {
    jest.setTimeout(timeoutMs * 3);
    let harness: EventLogHarness;
    let subscriptions: Subscription[] = [];
    const runId = randomUUID().slice(0, 8);
    let counter = 0;

    const freshTopic = async (partitions = 3) => {
      counter += 1;
      const topic = `contract-${runId}-${counter}`;
      await harness.log.ensureTopics([{ name: topic, partitions }]);
      return topic;
    };
    const collect = async (topic: string, groupId: string, into: ConsumedEvent[], options: { fromBeginning?: boolean; fail?: (e: ConsumedEvent) => void } = {}) => {
      const subscription = await harness.log.subscribe({
        groupId,
        topics: [topic],
        fromBeginning: options.fromBeginning ?? true,
        retry: { initialDelayMs: 10, maxDelayMs: 50, maxAttempts: 5 },
        handle: async (consumed) => {
          options.fail?.(consumed);
          into.push(consumed);
        },
      });
      subscriptions.push(subscription);
      return subscription;
    };

    beforeAll(async () => {
      harness = await createHarness();
    });
    afterEach(async () => {
      await Promise.all(subscriptions.map((subscription) => subscription.close()));
      subscriptions = [];
    });
    afterAll(async () => {
      await harness?.close();
    });

    it('continues each event\'s own trace: its handler runs in a consumer span whose parent is the traceparent it was published with', async () => {
      const spans = recordSpans();
      const topic = await freshTopic();
      const activeTraceIds: (string | undefined)[] = [];
      await collect(topic, `g-${runId}-traced`, [], { fail: () => void activeTraceIds.push(trace.getActiveSpan()?.spanContext().traceId) });
      const parents = [fakeTraceparent(), fakeTraceparent()];
      await harness.log.publish(topic, parents.map((parent, n) => ({ ...event('order-traced', n), traceparent: parent.traceparent })));
      await eventually(() => expect(parents.flatMap((parent) => spans.spansOfTrace(parent.traceId))).toHaveLength(2), timeoutMs);
      expect(activeTraceIds).toEqual(parents.map((parent) => parent.traceId));
      for (const parent of parents) {
        expect(spans.spansOfTrace(parent.traceId)[0]).toMatchObject({
          parentSpanId: parent.spanId,
          kind: 'consumer',
          name: 'process TestHappened',
          attributes: expect.objectContaining({ 'saga.order_id': 'order-traced', 'messaging.destination.name': topic, 'messaging.consumer.group.name': `g-${runId}-traced` }),
        });
      }
    });

    it('delivers every event once to a group, in order for each key', async () => {
      const topic = await freshTopic();
      const received: ConsumedEvent[] = [];
      await collect(topic, `g-${runId}-order`, received);
      const keys = ['order-a', 'order-b', 'order-c', 'order-d', 'order-e'];
      for (let n = 0; n < 6; n += 1) await harness.log.publish(topic, keys.map((key) => event(key, n)));
      await eventually(() => expect(received).toHaveLength(30), timeoutMs);
      for (const key of keys) {
        const sequence = received.filter((consumed) => consumed.key === key).map((consumed) => payloadOf(consumed).n);
        expect(sequence).toEqual([0, 1, 2, 3, 4, 5]);
      }
      expect(new Set(received.map((consumed) => consumed.envelope.messageId)).size).toBe(30);
    });

    it('reports a subscription running once subscribed, and not after it is closed', async () => {
      const topic = await freshTopic(1);
      const subscription = await collect(topic, `g-${runId}-running`, []);
      expect(subscription.isRunning()).toBe(true);
      await subscription.close();
      subscriptions = subscriptions.filter((other) => other !== subscription);
      expect(subscription.isRunning()).toBe(false);
    });

    it('gives every consumer group its own copy of each event', async () => {
      const topic = await freshTopic();
      const first: ConsumedEvent[] = [];
      const second: ConsumedEvent[] = [];
      await collect(topic, `g-${runId}-one`, first);
      await collect(topic, `g-${runId}-two`, second);
      await harness.log.publish(topic, [event('k1', 1), event('k2', 2)]);
      await eventually(() => {
        expect(first.map((consumed) => payloadOf(consumed).n).sort()).toEqual([1, 2]);
        expect(second.map((consumed) => payloadOf(consumed).n).sort()).toEqual([1, 2]);
      }, timeoutMs);
    });

    it('resumes a group after its last committed event, neither repeating nor skipping', async () => {
      const topic = await freshTopic(1);
      const groupId = `g-${runId}-resume`;
      const before: ConsumedEvent[] = [];
      const subscription = await collect(topic, groupId, before);
      await harness.log.publish(topic, [event('k', 1), event('k', 2), event('k', 3)]);
      await eventually(() => expect(before).toHaveLength(3), timeoutMs);
      await subscription.close();
      subscriptions = subscriptions.filter((other) => other !== subscription);

      await harness.log.publish(topic, [event('k', 4), event('k', 5)]);
      const after: ConsumedEvent[] = [];
      await collect(topic, groupId, after);
      await eventually(() => expect(after.map((consumed) => payloadOf(consumed).n)).toEqual([4, 5]), timeoutMs);
    });

    it('reports a group\'s lag: the events published after its last commit, per topic', async () => {
      // One partition: a partition the group never committed on has no known lag (left out), on Kafka and its twin alike.
      const topic = await freshTopic(1);
      const groupId = `g-${runId}-lag`;
      expect(await harness.log.consumerLag(groupId, [topic])).toEqual([]);
      const consumed: ConsumedEvent[] = [];
      const subscription = await collect(topic, groupId, consumed);
      await harness.log.publish(topic, ['a', 'b', 'c'].map((key, n) => event(`lag-${key}`, n)));
      await eventually(() => expect(consumed).toHaveLength(3), timeoutMs);
      // The commit follows the handler: wait until the group has caught up.
      await eventually(async () => expect(await harness.log.consumerLag(groupId, [topic])).toEqual([{ topic, lag: 0 }]), timeoutMs);
      await subscription.close();
      subscriptions = subscriptions.filter((other) => other !== subscription);
      await harness.log.publish(topic, ['a', 'b', 'c', 'd'].map((key, n) => event(`lag-${key}`, 10 + n)));
      await eventually(async () => expect(await harness.log.consumerLag(groupId, [topic])).toEqual([{ topic, lag: 4 }]), timeoutMs);
    });

    it('retries a failing handler and does not move past the event until it succeeds', async () => {
      const topic = await freshTopic(1);
      const received: ConsumedEvent[] = [];
      await collect(topic, `g-${runId}-retry`, received, {
        fail: (consumed) => {
          if (payloadOf(consumed).n === 2 && consumed.attempt < 3) throw new Error('database unavailable');
        },
      });
      await harness.log.publish(topic, [event('k', 1), event('k', 2), event('k', 3)]);
      await eventually(() => expect(received.map((consumed) => payloadOf(consumed).n)).toEqual([1, 2, 3]), timeoutMs);
      expect(received[1]!.attempt).toBe(3);
    });

    it('redelivers an event whose handler never succeeded to the next consumer of the group', async () => {
      const topic = await freshTopic(1);
      const groupId = `g-${runId}-redeliver`;
      const attempts: ConsumedEvent[] = [];
      const failing = await harness.log.subscribe({
        groupId, topics: [topic], fromBeginning: true,
        retry: { maxAttempts: 1_000_000, initialDelayMs: 20, maxDelayMs: 20 },
        handle: async (consumed) => { attempts.push(consumed); throw new Error('crashing'); },
      });
      await harness.log.publish(topic, [event('k', 7)]);
      await eventually(() => expect(attempts.length).toBeGreaterThan(1), timeoutMs);
      await failing.close();

      const received: ConsumedEvent[] = [];
      await collect(topic, groupId, received);
      await eventually(() => expect(received.map((consumed) => payloadOf(consumed).n)).toEqual([7]), timeoutMs);
    });

    it('parks a message that is not a valid envelope in the dead-letter topic and moves on', async () => {
      const topic = await freshTopic(1);
      const groupId = `g-${runId}-poison`;
      const received: ConsumedEvent[] = [];
      await collect(topic, groupId, received);
      await harness.publishRaw(topic, 'k', '{"this is": "not an envelope"}');
      await harness.log.publish(topic, [event('k', 9)]);
      await eventually(() => expect(received.map((consumed) => payloadOf(consumed).n)).toEqual([9]), timeoutMs);
      const parked = await eventually(async () => {
        const letters = await harness.log.deadLetters(groupId);
        expect(letters).toHaveLength(1);
        return letters;
      }, timeoutMs);
      expect(parked[0]).toMatchObject({ raw: '{"this is": "not an envelope"}', source: topic, reason: expect.stringMatching(/^INVALID_ENVELOPE/) });
    });

    it('dead-letters an event its handler rejects as poison, with the reason, without retrying', async () => {
      const topic = await freshTopic(1);
      const groupId = `g-${runId}-rejected`;
      const calls: number[] = [];
      const received: ConsumedEvent[] = [];
      await collect(topic, groupId, received, {
        fail: (consumed) => {
          calls.push(payloadOf(consumed).n);
          if (payloadOf(consumed).n === 1) throw new PoisonMessageError('quantity must be positive');
        },
      });
      const poison = event('k', 1);
      await harness.log.publish(topic, [poison, event('k', 2)]);
      await eventually(() => expect(received.map((consumed) => payloadOf(consumed).n)).toEqual([2]), timeoutMs);
      expect(calls).toEqual([1, 2]);
      const letters = await eventually(async () => {
        const found = await harness.log.deadLetters(groupId);
        expect(found).toHaveLength(1);
        return found;
      }, timeoutMs);
      expect(letters[0]).toMatchObject({ messageId: poison.envelope.messageId, reason: 'POISON: quantity must be positive' });
    });

    it('replays the whole log from the first offset for a new group', async () => {
      const topic = await freshTopic();
      const live: ConsumedEvent[] = [];
      await collect(topic, `g-${runId}-live`, live);
      await harness.log.publish(topic, [event('a', 1), event('b', 2), event('c', 3), event('a', 4)]);
      await eventually(() => expect(live).toHaveLength(4), timeoutMs);

      const replayed: ConsumedEvent[] = [];
      await collect(topic, `g-${runId}-replay-${randomUUID()}`, replayed, { fromBeginning: true });
      await eventually(() => expect(replayed).toHaveLength(4), timeoutMs);
      const ids = (events: ConsumedEvent[]) => events.map((consumed) => consumed.envelope.messageId).sort();
      expect(ids(replayed)).toEqual(ids(live));
    });

    it('shares partitions among the members of a group and hands them over when one leaves', async () => {
      const topic = await freshTopic(3);
      const groupId = `g-${runId}-members`;
      const first: ConsumedEvent[] = [];
      const second: ConsumedEvent[] = [];
      const firstSubscription = await collect(topic, groupId, first);
      await collect(topic, groupId, second);
      const keys = Array.from({ length: 12 }, (_, index) => `order-${index}`);
      await eventually(async () => {
        // Publish until both members have work: a real broker rebalances when the second member joins.
        await harness.log.publish(topic, keys.map((key) => event(key, 1)));
        expect(first.length).toBeGreaterThan(0);
        expect(second.length).toBeGreaterThan(0);
      }, timeoutMs, 1_000);
      await firstSubscription.close();
      subscriptions = subscriptions.filter((other) => other !== firstSubscription);

      const handled = () => [...first, ...second].map((consumed) => consumed.envelope.messageId);
      const tail = keys.map((key) => event(key, 2));
      await harness.log.publish(topic, tail);
      await eventually(() => {
        for (const sent of tail) expect(handled()).toContain(sent.envelope.messageId);
      }, timeoutMs);
      expect(new Set(handled()).size).toBe(handled().length);
    });

    describeEventLogDeadLetters(() => ({ log: harness.log, freshTopic, runId }), timeoutMs);
  });
}
