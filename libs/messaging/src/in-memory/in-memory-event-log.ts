// In-memory twin of the Kafka event log: partitions, consumer groups, committed offsets and dead letters, in one process.
import { deadLetterTopicFor, encodeEnvelope, redriveTopicFor } from '@saga/contracts';
import { letterHeaders, lettersFromLog, parseLogLetterId } from '../dead-letters/letter-records';
import { deliver, resolvePolicy } from '../delivery';
import type { ConsumerLag, EventLog, EventSubscription, OutgoingEvent, TopicSpec } from '../ports/event-log.port';
import type { DeadLetter, RedriveOutcome, Subscription } from '../ports/delivery.types';

interface StoredRecord {
  key: string;
  raw: string;
  headers: Record<string, string>;
}

interface Member {
  subscription: EventSubscription;
  /** Its topics and its group's redrive topic, as the Kafka adapter subscribes. */
  topics: readonly string[];
  stopped: boolean;
}

interface Group {
  members: Member[];
  /** Next offset to consume, per "topic/partition"; absent until the group first sees the partition. */
  positions: Map<string, number>;
  /** Partitions with a delivery loop running, so each partition is consumed by one loop at a time (in order). */
  pumping: Set<string>;
  /** Partitions the group has committed on (as Kafka, lag is only known there). */
  committed: Set<string>;
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
      this.append(topic, { key: event.key, raw: encodeEnvelope(event.envelope).toString('utf8'), headers: { type: event.envelope.type, ...(event.traceparent === undefined ? {} : { traceparent: event.traceparent }) } });
    }
  }

  /** Test hook: puts arbitrary bytes on a topic, as a misbehaving producer would. */
  async publishRaw(topic: string, key: string, raw: string): Promise<void> {
    this.append(topic, { key, raw, headers: {} });
  }

  async subscribe(subscription: EventSubscription): Promise<Subscription> {
    this.assertOpen();
    const group = this.groupFor(subscription.groupId);
    const redriveTopic = redriveTopicFor(subscription.groupId);
    await this.ensureTopics([{ name: deadLetterTopicFor(subscription.groupId), partitions: 1 }, { name: redriveTopic, partitions: 1 }]);
    const topics = [...subscription.topics, redriveTopic];
    for (const topic of topics) {
      // Kafka auto-creates a subscribed topic; the twin does the same so start-up order does not matter.
      this.partitionsOf(topic).forEach((records, partition) => {
        const tp = `${topic}/${partition}`;
        if (!group.positions.has(tp)) group.positions.set(tp, subscription.fromBeginning || topic === redriveTopic ? 0 : records.length);
      });
    }
    const member: Member = { subscription, topics, stopped: false };
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
    const topic = deadLetterTopicFor(groupId);
    return lettersFromLog(topic, this.logRecords(topic));
  }

  /** As the Kafka adapter: to the group's redrive topic, then a marker after the letter (see dead-letter-topic.ts). */
  async redriveDeadLetter(groupId: string, id: string): Promise<RedriveOutcome> {
    const topic = deadLetterTopicFor(groupId);
    const address = parseLogLetterId(topic, id);
    const letter = address && this.topics.get(topic)?.[address.partition]?.[Number(address.offset)];
    if (!address || !letter || letter.headers[letterHeaders.redriveOf] !== undefined) return 'not-found';
    const where = `${address.partition}:${address.offset}`;
    if (this.logRecords(topic).some((record) => record.headers[letterHeaders.redriveOf] === where)) return 'already-redriven';
    const source = letter.headers[letterHeaders.originalTopic];
    this.append(redriveTopicFor(groupId), { key: letter.key, raw: letter.raw, headers: { [letterHeaders.redrivenFrom]: id, ...(source ? { [letterHeaders.originalTopic]: source } : {}) } });
    this.append(topic, { key: letter.key, raw: '', headers: { [letterHeaders.redriveOf]: where, [letterHeaders.redrivenAt]: new Date().toISOString() } });
    return 'redriven';
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

  private logRecords(topic: string) {
    return (this.topics.get(topic) ?? []).flatMap((records, partition) =>
      records.map((record, offset) => ({ partition, offset: String(offset), value: record.raw, headers: record.headers })));
  }

  private partitionsOf(topic: string): StoredRecord[][] {
    let partitions = this.topics.get(topic);
    if (!partitions) {
      partitions = Array.from({ length: DEFAULT_PARTITIONS }, () => []);
      this.topics.set(topic, partitions);
    }
    return partitions;
  }

  async consumerLag(groupId: string, topics: readonly string[]): Promise<ConsumerLag[]> {
    const group = this.groups.get(groupId);
    if (!group) return [];
    return topics.flatMap((topic) => {
      const known = this.partitionsOf(topic)
        .map((records, partition) => ({ tp: `${topic}/${partition}`, end: records.length }))
        .filter(({ tp }) => group.committed.has(tp))
        .map(({ tp, end }) => end - (group.positions.get(tp) ?? end));
      return known.length === 0 ? [] : [{ topic, lag: known.reduce((sum, lag) => sum + lag, 0) }];
    });
  }

  private groupFor(groupId: string): Group {
    let group = this.groups.get(groupId);
    if (!group) {
      group = { members: [], positions: new Map(), pumping: new Set(), committed: new Set() };
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
        // As the Kafka adapter: a re-driven event comes as from the topic it was first published on.
        const from = topic === redriveTopicFor(groupId) ? record.headers[letterHeaders.originalTopic] ?? topic : topic;
        let attempts = 0;
        const traceparent = record.headers.traceparent;
        const outcome = await deliver({
          raw: record.raw,
          policy: resolvePolicy(owner.subscription.retry),
          trace: {
            system: 'in-memory',
            destination: topic,
            ...(traceparent === undefined ? {} : { traceparent }),
            attributes: { 'messaging.consumer.group.name': groupId, 'messaging.destination.partition.id': String(partition), 'messaging.kafka.offset': offset },
          },
          isStopped: () => owner.stopped || this.closed,
          handle: (envelope, attempt) => {
            attempts = attempt;
            return owner.subscription.handle({ topic: from, partition, offset: String(offset), key: record.key, envelope, attempt });
          },
        });
        if (outcome.kind === 'stopped') continue;
        if (outcome.kind === 'dead-letter') {
          this.append(deadLetterTopicFor(groupId), {
            key: record.key,
            raw: record.raw,
            headers: {
              [letterHeaders.error]: outcome.reason,
              // A re-driven event that fails again names its first topic, not the redrive topic.
              [letterHeaders.originalTopic]: from,
              [letterHeaders.attempts]: String(attempts),
              [letterHeaders.deadLetteredAt]: new Date().toISOString(),
              ...(outcome.messageId ? { [letterHeaders.messageId]: outcome.messageId } : {}),
            },
          });
        }
        // Commit only now, after the handler finished (or the record was parked), as the Kafka adapter does.
        group.positions.set(tp, offset + 1);
        group.committed.add(tp);
      }
    } finally {
      group.pumping.delete(tp);
    }
  }

  /** Round-robin assignment among members subscribed to the topic, recomputed on every record. */
  private ownerOf(group: Group, topic: string, partition: number): Member | undefined {
    const candidates = group.members.filter((member) => !member.stopped && member.topics.includes(topic));
    return candidates.length === 0 ? undefined : candidates[partition % candidates.length];
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('event log is closed');
  }
}
