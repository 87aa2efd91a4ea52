// A consumer group's Kafka dead letters: list them from its dead-letter topic, and re-drive one to its redrive topic.
import { deadLetterTopicFor, redriveTopicFor } from '@saga/contracts';
import type { Admin, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DeadLetter, RedriveOutcome } from '../ports/delivery.types';
import { letterHeaders, lettersFromLog, parseLogLetterId } from '../dead-letters/letter-records';
import { readWholeTopic } from './read-whole-topic';

interface TopicAccess {
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
}

export async function listGroupDeadLetters({ kafka, admin }: Omit<TopicAccess, 'producer'>, groupId: string): Promise<DeadLetter[]> {
  const topic = deadLetterTopicFor(groupId);
  return lettersFromLog(topic, await readWholeTopic(kafka, admin, topic));
}

/**
 * The letter goes to `<group>.redrive` (only that group reads it: the other groups handled the event already), then a
 * marker is appended after the letter. A crash in between leaves the letter re-drivable, and two operators re-driving
 * at once send it twice: either way the group's idempotent inbox drops the copy, so a re-drive is never applied twice.
 */
export async function redriveGroupDeadLetter({ kafka, admin, producer }: TopicAccess, groupId: string, id: string): Promise<RedriveOutcome> {
  const topic = deadLetterTopicFor(groupId);
  const address = parseLogLetterId(topic, id);
  if (!address) return 'not-found';
  const records = await readWholeTopic(kafka, admin, topic);
  const isMarker = (headers: Record<string, string>) => headers[letterHeaders.redriveOf] !== undefined;
  const letter = records.find((record) => record.partition === address.partition && record.offset === address.offset && !isMarker(record.headers));
  if (!letter) return 'not-found';
  const where = `${letter.partition}:${letter.offset}`;
  if (records.some((record) => record.headers[letterHeaders.redriveOf] === where)) return 'already-redriven';
  const source = letter.headers[letterHeaders.originalTopic];
  const messageId = letter.headers[letterHeaders.messageId];
  await producer.send({
    topic: redriveTopicFor(groupId),
    acks: -1,
    messages: [{
      key: letter.key,
      value: letter.value,
      headers: {
        [letterHeaders.redrivenFrom]: id,
        ...(source ? { [letterHeaders.originalTopic]: source } : {}),
        ...(messageId ? { 'message-id': messageId } : {}),
      },
    }],
  });
  await producer.send({
    topic,
    acks: -1,
    // Same partition as the letter, so a reader meets the marker after the letter it marks.
    messages: [{ key: letter.key, value: '', partition: letter.partition, headers: { [letterHeaders.redriveOf]: where, [letterHeaders.redrivenAt]: new Date().toISOString() } }],
  });
  return 'redriven';
}

/** Where an event came from, for its dead letter: a re-driven one names its first topic, not the redrive topic. */
export function originalTopicOf(topic: string, groupId: string, headers: IHeaders | undefined): string {
  if (topic !== redriveTopicFor(groupId)) return topic;
  const original = headers?.[letterHeaders.originalTopic];
  const value = Array.isArray(original) ? original[0] : original;
  return value === undefined ? topic : value.toString();
}

/** The headers of a Kafka dead letter: why, from where, after how many attempts, when. */
export function deadLetterHeaders(input: { groupId: string; topic: string; partition: number; message: KafkaMessage; reason: string; attempts: number; messageId?: string }): IHeaders {
  return {
    [letterHeaders.error]: input.reason,
    [letterHeaders.originalTopic]: originalTopicOf(input.topic, input.groupId, input.message.headers),
    'x-original-partition': String(input.partition),
    'x-original-offset': input.message.offset,
    [letterHeaders.attempts]: String(input.attempts),
    [letterHeaders.deadLetteredAt]: new Date().toISOString(),
    ...(input.messageId ? { [letterHeaders.messageId]: input.messageId } : {}),
  };
}
