// Part of the EventLog contract: a group's dead letters are listed, re-driven to that group only, and marked re-driven.
import { createEnvelope } from '@saga/contracts';
import type { ConsumedEvent, EventLog } from '../ports/event-log.port';
import type { Subscription } from '../ports/delivery.types';
import { eventually } from './eventually';

export interface EventLogDeadLetterHarness {
  log: EventLog;
  /** A topic of its own, created with this many partitions. */
  freshTopic(partitions?: number): Promise<string>;
  runId: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function describeEventLogDeadLetters(harness: () => EventLogDeadLetterHarness, timeoutMs: number): void {
  describe('dead letters', () => {
    let subscriptions: Subscription[] = [];
    afterEach(async () => {
      await Promise.all(subscriptions.map((subscription) => subscription.close()));
      subscriptions = [];
    });
    /** A member of the group that fails while `broken()` says so, and applies each message id once (an inbox in miniature). */
    const subscribe = async (topic: string, groupId: string, broken: () => boolean, applied: ConsumedEvent[]) => {
      const seen = new Set<string>();
      subscriptions.push(await harness().log.subscribe({
        groupId,
        topics: [topic],
        fromBeginning: true,
        retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
        handle: async (consumed) => {
          if (broken()) throw new Error('database unavailable');
          if (seen.has(consumed.envelope.messageId)) return;
          seen.add(consumed.envelope.messageId);
          applied.push(consumed);
        },
      }));
    };

    it('lists a letter with its id, source, reason and attempts; a re-drive reaches that group once and marks the letter', async () => {
      const { log, freshTopic, runId } = harness();
      const topic = await freshTopic(1);
      const groupId = `g-${runId}-redrive`;
      let broken = true;
      const applied: ConsumedEvent[] = [];
      const bystander: ConsumedEvent[] = [];
      await subscribe(topic, groupId, () => broken, applied);
      await subscribe(topic, `g-${runId}-bystander`, () => false, bystander);
      const doomed = { key: 'order-r', envelope: createEnvelope('TestHappened', 1, { n: 1 }, { correlationId: 'order-r' }) };
      await log.publish(topic, [doomed]);
      const [letter] = await eventually(async () => {
        const found = await log.deadLetters(groupId);
        expect(found).toHaveLength(1);
        return found;
      }, timeoutMs);
      expect(letter).toMatchObject({ source: topic, messageId: doomed.envelope.messageId, attempts: 3, reason: 'HANDLER_FAILED after 3 attempts: database unavailable' });
      expect(letter!.id).toMatch(new RegExp(`^${groupId}\\.dlt:0:\\d+$`));
      expect(letter!.redrivenAt).toBeUndefined();

      broken = false;
      // Two operators at once: both may send it (Kafka), or the second sees the marker (the twin); applied once either way.
      const outcomes = await Promise.all([log.redriveDeadLetter(groupId, letter!.id), log.redriveDeadLetter(groupId, letter!.id)]);
      expect(outcomes).toContain('redriven');
      for (const outcome of outcomes) expect(['redriven', 'already-redriven']).toContain(outcome);
      await eventually(() => expect(applied.map((consumed) => consumed.envelope.messageId)).toEqual([doomed.envelope.messageId]), timeoutMs);
      // Handed over as from its first topic: handlers that route by topic treat it as they would have.
      expect(applied[0]).toMatchObject({ topic, key: 'order-r', envelope: doomed.envelope });

      expect(await log.redriveDeadLetter(groupId, letter!.id)).toBe('already-redriven');
      const after = await log.deadLetters(groupId);
      expect(after).toHaveLength(1);
      expect(after[0]).toMatchObject({ id: letter!.id, redrivenAt: expect.any(String) });
      // The other group handled the event the first time and is not handed it again.
      await sleep(500);
      expect(bystander.map((consumed) => consumed.envelope.messageId)).toEqual([doomed.envelope.messageId]);
      expect(applied).toHaveLength(1);
    });

    it('answers not-found for an id it never gave, or one of another group', async () => {
      const { log, runId } = harness();
      const groupId = `g-${runId}-unknown`;
      expect(await log.redriveDeadLetter(groupId, `${groupId}.dlt:0:999`)).toBe('not-found');
      expect(await log.redriveDeadLetter(groupId, `g-${runId}-redrive.dlt:0:0`)).toBe('not-found');
      expect(await log.redriveDeadLetter(groupId, 'not an id')).toBe('not-found');
    });
  });
}
