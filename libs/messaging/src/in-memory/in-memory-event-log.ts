// In-memory twin of the Kafka event log: partitions, consumer groups, committed offsets and dead letters, in one process.
import { deadLetterTopicFor, encodeEnvelope } from '@saga/contracts';
import { deliver, resolvePolicy } from '../delivery';
import type { EventLog, EventSubscription, OutgoingEvent, TopicSpec } from '../ports/event-log.port';
import type { DeadLetter, Subscription } from '../ports/delivery.types';

interface StoredRecord {
  key: string;
  raw: string;
  headers: Record<string, string>;
}

interface Member {
  subscription: EventSubscription;
  stopped: boolean;
}

interface Group {
  members: Member[];
  /** Next offset to consume, per "topic/partition"; absent until the group first sees the partition. */
  positions: Map<string, number>;
  /** Partitions with a delivery loop running, so each partition is consumed by one loop at a time (in order). */
  pumping: Set<string>;
}

const DEFAULT_PARTITIONS = 3;

/** Stable string hash: the twin only promises what Kafka promises, one key → one partition. */
function partitionFor(key: string, partitions: number): number {
  let hash = 0;
  for (const char of key) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return Math.abs(hash) % partitions;
}

export class InMemoryEventLog implements EventLog {
  private readonly topics = new Map<string, StoredRecord[][]>();
  private readonly groups = new Map<string, Group>();
  private closed = false;

  async ensureTopics(specs: readonly TopicSpec[]): Promise<void> {
    for (const spec of specs) {
      if (!this.topics.has(spec.name)) this.topics.set(spec.name, Array.from({ length: spec.partitions }, () => []));
    }
  }

  async publish(topic: string, events: readonly OutgoingEvent[]): Promise<void> {
    this.assertOpen();
    for (const event of events) {
      this.append(topic, { key: event.key, raw: encodeEnvelope(event.envelope).toString('utf8'), headers: { type: event.envelope.type } });
    }
  }

  /** Test hook: puts arbitrary bytes on a topic, as a misbehaving producer would. */
  async publishRaw(topic: string, key: string, raw: string): Promise<void> {
    this.append(topic, { key, raw, headers: {} });
  }

  async subscribe(subscription: EventSubscription): Promise<Subscription> {
    this.assertOpen();
    const group = this.groupFor(subscription.groupId);
    for (const topic of subscription.topics) {
      // Kafka auto-creates a subscribed topic; the twin does the same so start-up order does not matter.
      this.partitionsOf(topic).forEach((records, partition) => {
        const tp = `${topic}/${partition}`;
        if (!group.positions.has(tp)) group.positions.set(tp, subscription.fromBeginning ? 0 : records.length);
      });
    }
    const member: Member = { subscription, stopped: false };
    group.members.push(member);
    this.pumpGroup(subscription.groupId);
    return {
      close: async () => {
        member.stopped = true;
        group.members = group.members.filter((other) => other !== member);
        // The partitions it owned move to the remaining members, as after a Kafka rebalance.
        this.pumpGroup(subscription.groupId);
      },
      isRunning: () => !member.stopped,
    };
  }

  async deadLetters(groupId: string): Promise<DeadLetter[]> {
    const topic = this.topics.get(deadLetterTopicFor(groupId));
    if (!topic) return [];
    return topic.flat().map((record) => ({
      raw: record.raw,
      reason: record.headers['x-error'] ?? '',
      source: record.headers['x-original-topic'] ?? '',
      ...(record.headers['x-message-id'] ? { messageId: record.headers['x-message-id'] } : {}),
      deadLetteredAt: record.headers['x-dead-lettered-at'] ?? '',
    }));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const group of this.groups.values()) {
      for (const member of group.members) member.stopped = true;
      group.members = [];
    }
  }

  private append(topic: string, record: StoredRecord): void {
    const partitions = this.partitionsOf(topic);
    const partition = partitionFor(record.key, partitions.length);
    partitions[partition]!.push(record);
    for (const groupId of this.groups.keys()) this.pumpGroup(groupId);
  }

  private partitionsOf(topic: string): StoredRecord[][] {
    let partitions = this.topics.get(topic);
    if (!partitions) {
      partitions = Array.from({ length: DEFAULT_PARTITIONS }, () => []);
      this.topics.set(topic, partitions);
    }
    return partitions;
  }

  private groupFor(groupId: string): Group {
    let group = this.groups.get(groupId);
    if (!group) {
      group = { members: [], positions: new Map(), pumping: new Set() };
      this.groups.set(groupId, group);
    }
    return group;
  }

  private pumpGroup(groupId: string): void {
    const group = this.groupFor(groupId);
    for (const tp of group.positions.keys()) {
      if (!group.pumping.has(tp)) void this.pumpPartition(groupId, group, tp);
    }
  }

  /** Delivers one partition's records in order, each to the member that currently owns the partition. */
  private async pumpPartition(groupId: string, group: Group, tp: string): Promise<void> {
    group.pumping.add(tp);
    try {
      const slash = tp.lastIndexOf('/');
      const topic = tp.slice(0, slash);
      const partition = Number(tp.slice(slash + 1));
      const records = this.partitionsOf(topic)[partition]!;
      for (;;) {
        const owner = this.ownerOf(group, topic, partition);
        const offset = group.positions.get(tp) ?? 0;
        const record = records[offset];
        if (!owner || !record || this.closed) return;
        const outcome = await deliver({
          raw: record.raw,
          policy: resolvePolicy(owner.subscription.retry),
          isStopped: () => owner.stopped || this.closed,
          handle: (envelope, attempt) =>
            owner.subscription.handle({ topic, partition, offset: String(offset), key: record.key, envelope, attempt }),
        });
        if (outcome.kind === 'stopped') continue;
        if (outcome.kind === 'dead-letter') {
          this.append(deadLetterTopicFor(groupId), {
            key: record.key,
            raw: record.raw,
            headers: {
              'x-error': outcome.reason,
              'x-original-topic': topic,
              'x-dead-lettered-at': new Date().toISOString(),
              ...(outcome.messageId ? { 'x-message-id': outcome.messageId } : {}),
            },
          });
        }
        // Commit only now, after the handler finished (or the record was parked), as the Kafka adapter does.
        group.positions.set(tp, offset + 1);
      }
    } finally {
      group.pumping.delete(tp);
    }
  }

  /** Round-robin assignment among members subscribed to the topic, recomputed on every record. */
  private ownerOf(group: Group, topic: string, partition: number): Member | undefined {
    const candidates = group.members.filter((member) => !member.stopped && member.subscription.topics.includes(topic));
    return candidates.length === 0 ? undefined : candidates[partition % candidates.length];
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('event log is closed');
  }
}
