// Part of the CommandBus contract: dead letters are listed with what an operator needs, and re-driven exactly once.
import { createEnvelope } from '@saga/contracts';
import type { CommandBus, ConsumedCommand, QueueSpec } from '../ports/command-bus.port';
import { PoisonMessageError, type Subscription } from '../ports/delivery.types';
import { eventually } from './eventually';

export interface DeadLetterHarness {
  bus: CommandBus;
  secondBus(): Promise<CommandBus>;
  /** A queue of its own, removed by the caller's suite at the end. */
  freshQueue(): QueueSpec;
}

const command = (n: number) => createEnvelope('DoThing', 1, { n }, { correlationId: `order-${n}` });
const numberOf = (consumed: ConsumedCommand) => (consumed.envelope.payload as { n: number }).n;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function describeCommandBusDeadLetters(harness: () => DeadLetterHarness, timeoutMs: number): void {
  describe('dead letters', () => {
    let subscriptions: Subscription[] = [];
    afterEach(async () => {
      await Promise.all(subscriptions.map((subscription) => subscription.close()));
      subscriptions = [];
    });
    const lettersFrom = async (bus: CommandBus, queue: string) => (await bus.peekDeadLetters()).filter((letter) => letter.source === queue);
    /** A consumer whose handler fails while `broken()` says so, and applies each message id once (an inbox in miniature). */
    const consume = async (spec: QueueSpec, broken: () => boolean, applied: ConsumedCommand[]) => {
      const seen = new Set<string>();
      subscriptions.push(await harness().bus.consume({
        ...spec,
        retry: { maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 20 },
        handle: async (consumed) => {
          if (broken()) throw new Error('database unavailable');
          if (consumed.envelope.type === 'Poison') throw new PoisonMessageError('never valid');
          if (seen.has(consumed.envelope.messageId)) return;
          seen.add(consumed.envelope.messageId);
          applied.push(consumed);
        },
      }));
    };

    it('lists a letter with a stable id, its source, reason and attempts, and re-drives it to its queue once', async () => {
      const { bus, freshQueue } = harness();
      const spec = freshQueue();
      let broken = true;
      const applied: ConsumedCommand[] = [];
      await consume(spec, () => broken, applied);
      const doomed = command(4);
      await bus.send(spec.bindings[0]!, doomed, { replyTo: 'replies.here' });
      const [letter] = await eventually(async () => {
        const found = await lettersFrom(bus, spec.queue);
        expect(found).toHaveLength(1);
        return found;
      }, timeoutMs);
      expect(letter).toMatchObject({ source: spec.queue, messageId: doomed.messageId, attempts: 2, reason: 'HANDLER_FAILED after 2 attempts: database unavailable' });
      expect((await lettersFrom(bus, spec.queue)).map((again) => again.id)).toEqual([letter!.id]);

      broken = false;
      expect(await bus.redriveDeadLetter(letter!.id)).toBe('redriven');
      await eventually(() => expect(applied.map(numberOf)).toEqual([4]), timeoutMs);
      expect(applied[0]).toMatchObject({ envelope: doomed, replyTo: 'replies.here' });
      // Out of the dead-letter queue: a second re-drive finds nothing, and sends nothing.
      expect(await bus.redriveDeadLetter(letter!.id)).toBe('not-found');
      expect(await lettersFrom(bus, spec.queue)).toEqual([]);
      await sleep(200);
      expect(applied).toHaveLength(1);
    });

    it('answers not-found for an id it never gave, and leaves the other letters where they are', async () => {
      const { bus, freshQueue } = harness();
      const spec = freshQueue();
      await consume(spec, () => false, []);
      await bus.send(spec.bindings[0]!, createEnvelope('Poison', 1, {}, { correlationId: 'order-p' }));
      await eventually(async () => expect(await lettersFrom(bus, spec.queue)).toHaveLength(1), timeoutMs);
      expect(await bus.redriveDeadLetter('00000000-0000-4000-8000-000000000000')).toBe('not-found');
      expect(await lettersFrom(bus, spec.queue)).toHaveLength(1);
    });

    it('shows every letter to readers that look at the same time (one holds the queue at a time)', async () => {
      const { bus, freshQueue } = harness();
      const spec = freshQueue();
      await consume(spec, () => false, []);
      for (let n = 1; n <= 3; n += 1) await bus.send(spec.bindings[0]!, createEnvelope('Poison', 1, { n }, { correlationId: `order-${n}` }));
      await eventually(async () => expect(await lettersFrom(bus, spec.queue)).toHaveLength(3), timeoutMs);
      const other = await harness().secondBus();
      try {
        const views = await Promise.all([bus, other, bus, other].map((reader) => lettersFrom(reader, spec.queue)));
        for (const view of views) expect(view).toHaveLength(3);
      } finally {
        await other.close();
      }
    });
  });
}
