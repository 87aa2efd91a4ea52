// The floor a choreography hop stands on: one publish (acks=all) → consume on Kafka, with the adapter and settings the
// services use (KafkaEventLog), on a private topic and group of the run, deleted afterwards (nothing else is).
import { EVENT_TOPIC_PARTITIONS, createEnvelope, deadLetterTopicFor } from '@saga/contracts';
import { KafkaEventLog } from '@saga/messaging';
import { withKafkaAdmin } from '../e2e/support/kafka-namespace';
import { summarize, type Summary } from './stats';

export async function measureKafkaRoundTrip(brokers: readonly string[], run: string, samples: number): Promise<Summary> {
  const topic = `bench-${run}`;
  const groupId = `bench-${run}`;
  const sender = await KafkaEventLog.connect({ brokers, clientId: 'bench-sender' });
  const receiver = await KafkaEventLog.connect({ brokers, clientId: 'bench-receiver' });
  const durations: number[] = [];
  try {
    await sender.ensureTopics([{ name: topic, partitions: EVENT_TOPIC_PARTITIONS }]);
    const waiting = new Map<string, () => void>();
    const subscription = await receiver.subscribe({ groupId, topics: [topic], fromBeginning: true, handle: async ({ envelope }) => waiting.get(envelope.messageId)?.() });
    try {
      for (let i = 0; i < samples + 20; i += 1) {
        // One key, like one order's events: they share a partition.
        const envelope = createEnvelope('BenchPing', 1, { i }, { correlationId: `bench-${run}` });
        const received = new Promise<void>((resolve) => waiting.set(envelope.messageId, resolve));
        const started = performance.now();
        await sender.publish(topic, [{ key: `bench-${run}`, envelope }]);
        await received;
        // The first 20 warm up connections, metadata and the JIT.
        if (i >= 20) durations.push(performance.now() - started);
        waiting.delete(envelope.messageId);
      }
    } finally {
      await subscription.close();
    }
  } finally {
    await Promise.all([sender.close(), receiver.close()]);
    // Only what this measurement created: its topic, the dead-letter topic its subscription made, its group.
    await withKafkaAdmin(brokers, async (admin) => {
      await admin.deleteTopics({ topics: [topic, deadLetterTopicFor(groupId)] }).catch((error: unknown) => console.warn(`could not delete ${topic}: ${String(error)}`));
      await admin.deleteGroups([groupId]).catch(() => undefined);
    });
  }
  return summarize(durations);
}
