// Reads a topic from its first offset to its current end without joining a consumer group (for dead letters and audits).
import type { Admin, Kafka } from 'kafkajs';

export interface RawRecord {
  partition: number;
  offset: string;
  /** The partitioning key (the orderId), kept so a re-drive lands on the same key. */
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

export async function readWholeTopic(kafka: Kafka, admin: Admin, topic: string, timeoutMs = 15_000): Promise<RawRecord[]> {
  const existing = await admin.listTopics();
  if (!existing.includes(topic)) return [];
  const ends = await admin.fetchTopicOffsets(topic);
  const pending = new Map(ends.filter((end) => end.high !== end.low).map((end) => [end.partition, BigInt(end.high)]));
  if (pending.size === 0) return [];

  // A throwaway group that commits nothing: reading must never move anyone's offsets.
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${process.pid}-${Date.now()}` });
  const records: RawRecord[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out reading ${topic}`)), timeoutMs);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const end = pending.get(partition);
          if (end === undefined) return;
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {})) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? String(value[0]) : String(value);
          }
          records.push({ partition, offset: message.offset, key: message.key?.toString('utf8') ?? null, value: message.value?.toString('utf8') ?? '', headers });
          if (BigInt(message.offset) + 1n >= end) pending.delete(partition);
          if (pending.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
    // The reader group has no committed offsets, so deleting it is optional; best effort keeps the broker tidy.
  }
  return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}
