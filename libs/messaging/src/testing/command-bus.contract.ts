// Contract suite every CommandBus adapter must pass: the RabbitMQ adapter against a real broker, and its in-memory twin.
import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { createEnvelope } from '@saga/contracts';
import { fakeTraceparent, recordSpans } from '@saga/tracing/testing';
import { UnroutableMessageError, type CommandBus, type ConsumedCommand } from '../ports/command-bus.port';
import { PoisonMessageError, type Subscription } from '../ports/delivery.types';
import { describeCommandBusDeadLetters } from './command-bus-dead-letters.contract';
import { eventually } from './eventually';

export interface CommandBusHarness {
  bus: CommandBus;
  /** A second connection to the same broker, as another process of the same service would have. */
  secondBus(): Promise<CommandBus>;
  /** Routes bytes that are not a valid envelope, as a broken sender would. */
  sendRaw(routingKey: string, raw: string): Promise<void>;
  /** Removes what the suite declared, so a real broker is left as it was found. */
  close(createdQueues: readonly string[]): Promise<void>;
}

const command = (n: number) => createEnvelope('DoThing', 1, { n }, { correlationId: `order-${n}` });
const numberOf = (consumed: ConsumedCommand) => (consumed.envelope.payload as { n: number }).n;
const fastRetry = { initialDelayMs: 5, maxDelayMs: 20 };

export function describeCommandBusContract(name: string, createHarness: () => Promise<CommandBusHarness>, timeoutMs = 15_000): void {
  describe(`CommandBus contract: ${name}`, () => {
    jest.setTimeout(timeoutMs * 3);
    let harness: CommandBusHarness;
    let subscriptions: Subscription[] = [];
    const runId = randomUUID().slice(0, 8);
    const createdQueues: string[] = [];
    const freshQueue = () => {
      const queue = `contract-${runId}-${createdQueues.length + 1}`;
      createdQueues.push(queue);
      return { queue, bindings: [`contract.${runId}.${createdQueues.length}`] };
    };
    const consume = async (bus: CommandBus, spec: { queue: string; bindings: string[] }, into: ConsumedCommand[], options: { prefetch?: number; maxAttempts?: number; fail?: (c: ConsumedCommand) => void | Promise<void> } = {}) => {
      const subscription = await bus.consume({
        ...spec,
        prefetch: options.prefetch ?? 5,
        retry: { ...fastRetry, maxAttempts: options.maxAttempts ?? 5 },
        handle: async (consumed) => {
          await options.fail?.(consumed);
          into.push(consumed);
        },
      });
      subscriptions.push(subscription);
      return subscription;
    };
    const deadLettersFrom = async (queue: string) => (await harness.bus.peekDeadLetters()).filter((letter) => letter.source === queue);

    beforeAll(async () => {
      harness = await createHarness();
    });
    afterEach(async () => {
      await Promise.all(subscriptions.map((subscription) => subscription.close()));
      subscriptions = [];
    });
    afterAll(async () => {
      await harness?.close(createdQueues);
    });

    it('routes a command to the queue bound to its routing key, with its reply address', async () => {
      const spec = freshQueue();
      const received: ConsumedCommand[] = [];
      await consume(harness.bus, spec, received);
      const sent = command(1);
      await harness.bus.send(spec.bindings[0]!, sent, { replyTo: 'replies.here' });
      await eventually(() => expect(received).toHaveLength(1), timeoutMs);
      expect(received[0]).toMatchObject({ queue: spec.queue, routingKey: spec.bindings[0], envelope: sent, replyTo: 'replies.here', redelivered: false, attempt: 1 });
    });

    it('continues the sender\'s trace: the handler runs in a consumer span whose parent is the traceparent it was sent with', async () => {
      const spans = recordSpans();
      const spec = freshQueue();
      const activeTraceIds: (string | undefined)[] = [];
      await consume(harness.bus, spec, [], { fail: () => void activeTraceIds.push(trace.getActiveSpan()?.spanContext().traceId) });
      const parent = fakeTraceparent();
      await harness.bus.send(spec.bindings[0]!, command(41), { traceparent: parent.traceparent });
      await eventually(() => expect(spans.spansOfTrace(parent.traceId).filter((span) => span.kind === 'consumer')).toHaveLength(1), timeoutMs);
      expect(activeTraceIds).toEqual([parent.traceId]);
      expect(spans.spansOfTrace(parent.traceId)[0]).toMatchObject({
        parentSpanId: parent.spanId,
        name: 'process DoThing',
        attributes: expect.objectContaining({ 'saga.order_id': 'order-41', 'messaging.destination.name': spec.queue, 'messaging.operation.type': 'process' }),
      });
    });

    it('continues the trace its envelope names when the message carries no traceparent header', async () => {
      const spans = recordSpans();
      const spec = freshQueue();
      await consume(harness.bus, spec, []);
      const parent = fakeTraceparent();
      await harness.bus.send(spec.bindings[0]!, createEnvelope('DoThing', 1, { n: 42 }, { correlationId: 'order-42', traceparent: parent.traceparent }));
      await eventually(() => expect(spans.spansOfTrace(parent.traceId)).toHaveLength(1), timeoutMs);
      expect(spans.spansOfTrace(parent.traceId)[0]).toMatchObject({ parentSpanId: parent.spanId, kind: 'consumer' });
    });

    it('reports a consumer running once it consumes, and not after it is closed', async () => {
      const subscription = await consume(harness.bus, freshQueue(), []);
      expect(subscription.isRunning()).toBe(true);
      await subscription.close();
      subscriptions = subscriptions.filter((other) => other !== subscription);
      expect(subscription.isRunning()).toBe(false);
    });

    it('refuses a command that no queue would receive instead of dropping it', async () => {
      await expect(harness.bus.send(`nobody.listens.${runId}`, command(1))).rejects.toBeInstanceOf(UnroutableMessageError);
    });

    it('keeps commands sent before the consumer starts, and delivers them once it does', async () => {
      const spec = freshQueue();
      await harness.bus.ensureQueue(spec);
      await harness.bus.send(spec.bindings[0]!, command(1));
      await harness.bus.send(spec.bindings[0]!, command(2));
      const received: ConsumedCommand[] = [];
      await consume(harness.bus, spec, received);
      await eventually(() => expect(received.map(numberOf).sort()).toEqual([1, 2]), timeoutMs);
    });

    it('retries a failing handler and acknowledges once it succeeds', async () => {
      const spec = freshQueue();
      const received: ConsumedCommand[] = [];
      await consume(harness.bus, spec, received, { fail: (consumed) => { if (consumed.attempt < 3) throw new Error('database unavailable'); } });
      await harness.bus.send(spec.bindings[0]!, command(5));
      await eventually(() => expect(received.map((consumed) => consumed.attempt)).toEqual([3]), timeoutMs);
      expect(await deadLettersFrom(spec.queue)).toEqual([]);
    });

    it('dead-letters a command whose handler keeps failing, with the reason, and carries on with the next', async () => {
      const spec = freshQueue();
      const received: ConsumedCommand[] = [];
      await consume(harness.bus, spec, received, { maxAttempts: 3, prefetch: 1, fail: (consumed) => { if (numberOf(consumed) === 1) throw new Error('always broken'); } });
      const doomed = command(1);
      await harness.bus.send(spec.bindings[0]!, doomed);
      await harness.bus.send(spec.bindings[0]!, command(2));
      await eventually(() => expect(received.map(numberOf)).toEqual([2]), timeoutMs);
      const letters = await eventually(async () => {
        const found = await deadLettersFrom(spec.queue);
        expect(found).toHaveLength(1);
        return found;
      }, timeoutMs);
      expect(letters[0]).toMatchObject({ messageId: doomed.messageId, reason: 'HANDLER_FAILED after 3 attempts: always broken' });
      expect(JSON.parse(letters[0]!.raw)).toEqual(doomed);
    });

    it('dead-letters bytes that are not an envelope, and a command the handler rejects as poison, without retrying', async () => {
      const spec = freshQueue();
      const calls: number[] = [];
      await consume(harness.bus, spec, [], { fail: (consumed) => { calls.push(numberOf(consumed)); throw new PoisonMessageError('quantity must be positive'); } });
      await harness.sendRaw(spec.bindings[0]!, 'definitely not json');
      await harness.bus.send(spec.bindings[0]!, command(3));
      const letters = await eventually(async () => {
        const found = await deadLettersFrom(spec.queue);
        expect(found).toHaveLength(2);
        return found;
      }, timeoutMs);
      expect(letters.map((letter) => letter.reason)).toEqual(expect.arrayContaining(['POISON: quantity must be positive', expect.stringMatching(/^INVALID_ENVELOPE: not JSON/)]));
      expect(letters.find((letter) => letter.reason.startsWith('INVALID'))?.raw).toBe('definitely not json');
      expect(calls).toEqual([3]);
    });

    it('redelivers a command whose handler never finished, flagged as redelivered', async () => {
      const spec = freshQueue();
      const attempts: ConsumedCommand[] = [];
      const stuck = await consume(harness.bus, spec, [], { maxAttempts: 1_000_000, fail: (consumed) => { attempts.push(consumed); throw new Error('crashing'); } });
      await harness.bus.send(spec.bindings[0]!, command(8));
      await eventually(() => expect(attempts.length).toBeGreaterThan(1), timeoutMs);
      await stuck.close();
      subscriptions = subscriptions.filter((other) => other !== stuck);

      const other = await harness.secondBus();
      try {
        const received: ConsumedCommand[] = [];
        await consume(other, spec, received);
        await eventually(() => expect(received.map(numberOf)).toEqual([8]), timeoutMs);
        expect(received[0]!.redelivered).toBe(true);
      } finally {
        await Promise.all(subscriptions.map((subscription) => subscription.close()));
        subscriptions = [];
        await other.close();
      }
    });

    it('never has more unacknowledged commands in flight than the prefetch', async () => {
      const spec = freshQueue();
      let inFlight = 0;
      let peak = 0;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => { release = resolve; });
      const received: ConsumedCommand[] = [];
      await consume(harness.bus, spec, received, {
        prefetch: 2,
        fail: async () => {
          inFlight += 1;
          peak = Math.max(peak, inFlight);
          await gate;
          inFlight -= 1;
        },
      });
      for (let n = 1; n <= 6; n += 1) await harness.bus.send(spec.bindings[0]!, command(n));
      await eventually(() => expect(inFlight).toBe(2), timeoutMs);
      release();
      await eventually(() => expect(received).toHaveLength(6), timeoutMs);
      expect(peak).toBe(2);
    });

    it('gives each command to exactly one of several competing consumers', async () => {
      const spec = freshQueue();
      const other = await harness.secondBus();
      try {
        const first: ConsumedCommand[] = [];
        const second: ConsumedCommand[] = [];
        await consume(harness.bus, spec, first, { prefetch: 1, fail: () => new Promise((resolve) => setTimeout(resolve, 5)) });
        await consume(other, spec, second, { prefetch: 1, fail: () => new Promise((resolve) => setTimeout(resolve, 5)) });
        for (let n = 1; n <= 20; n += 1) await harness.bus.send(spec.bindings[0]!, command(n));
        await eventually(() => expect([...first, ...second].map(numberOf).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1)), timeoutMs);
        expect(first.length).toBeGreaterThan(0);
        expect(second.length).toBeGreaterThan(0);
      } finally {
        await Promise.all(subscriptions.map((subscription) => subscription.close()));
        subscriptions = [];
        await other.close();
      }
    });

    describeCommandBusDeadLetters(() => ({ bus: harness.bus, secondBus: () => harness.secondBus(), freshQueue }), timeoutMs);
  });
}
