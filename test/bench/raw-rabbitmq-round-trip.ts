// The floor a saga step stands on: one confirmed publish → consume on RabbitMQ, with the adapter and settings the services use.
import { randomUUID } from 'node:crypto';
import { createEnvelope } from '@saga/contracts';
import { RabbitMqCommandBus } from '@saga/messaging';
import { summarize, type Summary } from './stats';

export async function measureRabbitMqRoundTrip(url: string, samples: number): Promise<Summary> {
  const run = randomUUID().slice(0, 8);
  const topology = { exchange: `bench.commands.${run}`, deadLetterExchange: `bench.dlx.${run}`, deadLetterQueue: `bench.dlq.${run}` };
  const sender = await RabbitMqCommandBus.connect({ url, connectionName: 'bench-sender', ...topology });
  const receiver = await RabbitMqCommandBus.connect({ url, connectionName: 'bench-receiver', ...topology });
  const spec = { queue: `bench-${run}`, bindings: [`bench.${run}`] };
  const waiting = new Map<string, () => void>();
  const subscription = await receiver.consume({ ...spec, prefetch: 10, handle: async ({ envelope }) => waiting.get(envelope.messageId)?.() });
  const durations: number[] = [];
  try {
    for (let i = 0; i < samples + 20; i += 1) {
      const envelope = createEnvelope('BenchPing', 1, { i }, { correlationId: `bench-${i}` });
      const received = new Promise<void>((resolve) => waiting.set(envelope.messageId, resolve));
      const started = performance.now();
      await sender.send(spec.bindings[0]!, envelope);
      await received;
      // The first 20 warm up connections and the JIT.
      if (i >= 20) durations.push(performance.now() - started);
      waiting.delete(envelope.messageId);
    }
  } finally {
    await subscription.close();
    await Promise.all([sender.close(), receiver.close()]);
  }
  return summarize(durations);
}
