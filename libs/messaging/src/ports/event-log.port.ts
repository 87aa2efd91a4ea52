// Port for a partitioned, replayable event log (Kafka in production, an in-memory twin for `npm start` and unit tests).
import type { MessageEnvelope } from '@saga/contracts';
import type { DeadLetter, RedriveOutcome, RetryPolicy, Subscription } from './delivery.types';

export interface TopicSpec {
  name: string;
  partitions: number;
}

export interface OutgoingEvent {
  /** Partitioning key (the orderId): events with one key keep their order. */
  key: string;
  envelope: MessageEnvelope;
  /** W3C trace context for the record's `traceparent` header (the relay's producer span). */
  traceparent?: string;
}

export interface ConsumedEvent {
  /** Where it was published; a re-driven event names its first topic (partition and offset are its redrive topic's). */
  topic: string;
  partition: number;
  offset: string;
  key: string;
  envelope: MessageEnvelope;
  /** 1 on the first try in this process, 2+ when the handler is being retried. */
  attempt: number;
}

export interface EventSubscription {
  /** One consumer group per service: each group sees every event once; members of a group share the partitions. */
  groupId: string;
  topics: readonly string[];
  /** Where a group with no committed offset starts: the oldest event (true) or only new ones (false). */
  fromBeginning: boolean;
  /** Offsets are committed only after this resolves, so a crash mid-handler means the event is delivered again. */
  handle: (event: ConsumedEvent) => Promise<void>;
  retry?: Partial<RetryPolicy>;
}

export interface EventLog {
  /** Creates the topics that are missing; existing topics are left as they are. */
  ensureTopics(specs: readonly TopicSpec[]): Promise<void>;
  /** Resolves once the log has durably accepted every event (acks=all). */
  publish(topic: string, events: readonly OutgoingEvent[]): Promise<void>;
  /** Resolves once the consumer has joined its group and will see events published from now on. */
  subscribe(subscription: EventSubscription): Promise<Subscription>;
  /** Everything a consumer group dead-lettered, oldest first, with the reason; re-driven ones carry redrivenAt. */
  deadLetters(groupId: string): Promise<DeadLetter[]>;
  /**
   * Hands one of the group's dead letters to that group again (its redrive topic, which only it reads) and marks the
   * letter re-driven in the dead-letter topic: a second call answers 'already-redriven' and sends nothing.
   */
  redriveDeadLetter(groupId: string, id: string): Promise<RedriveOutcome>;
  /**
   * How far a consumer group is behind, per topic it has committed offsets on: the events published after its last
   * commit, summed over the topic's partitions (topics it never committed on are left out).
   */
  consumerLag(groupId: string, topics: readonly string[]): Promise<ConsumerLag[]>;
  close(): Promise<void>;
}

export interface ConsumerLag {
  topic: string;
  /** Events not yet processed (and committed) by the group. */
  lag: number;
}
