// Dead-letter headers, and how an append-only dead-letter log (Kafka topic, its twin) becomes letters: markers fold in.
import type { DeadLetter } from '../ports/delivery.types';

/** Header names every adapter writes on a dead letter and on a re-drive, defined once. */
export const letterHeaders = {
  id: 'x-dead-letter-id',
  error: 'x-error',
  attempts: 'x-attempts',
  deadLetteredAt: 'x-dead-lettered-at',
  messageId: 'x-message-id',
  originalTopic: 'x-original-topic',
  originalQueue: 'x-original-queue',
  originalRoutingKey: 'x-original-routing-key',
  /** On a marker record: `<partition>:<offset>` of the letter it marks as re-driven. */
  redriveOf: 'x-redrive-of',
  redrivenAt: 'x-redriven-at',
  /** On the re-driven message itself: the letter it came from (for logs and tracing). */
  redrivenFrom: 'x-redriven-from',
} as const;

export interface LogRecord {
  partition: number;
  offset: string;
  value: string;
  headers: Record<string, string>;
}

/** `<topic>:<partition>:<offset>`: a record's address in a log, stable for as long as the log keeps it. */
export const logLetterId = (topic: string, partition: number, offset: string): string => `${topic}:${partition}:${offset}`;

/** Parses an id made by logLetterId for this topic; undefined when it names another topic or is malformed. */
export function parseLogLetterId(topic: string, id: string): { partition: number; offset: string } | undefined {
  const match = /^(\d{1,5}):(\d{1,19})$/.exec(id.startsWith(`${topic}:`) ? id.slice(topic.length + 1) : '');
  return match ? { partition: Number(match[1]), offset: match[2]! } : undefined;
}

/** Letters in log order; a marker record (x-redrive-of) is not a letter, it stamps redrivenAt on the one it names. */
export function lettersFromLog(topic: string, records: readonly LogRecord[]): DeadLetter[] {
  const redriven = new Map<string, string>();
  for (const record of records) {
    const of = record.headers[letterHeaders.redriveOf];
    if (of !== undefined && !redriven.has(of)) redriven.set(of, record.headers[letterHeaders.redrivenAt] ?? '');
  }
  return records
    .filter((record) => record.headers[letterHeaders.redriveOf] === undefined)
    .map((record) => {
      const h = record.headers;
      const attempts = Number(h[letterHeaders.attempts]);
      const redrivenAt = redriven.get(`${record.partition}:${record.offset}`);
      return {
        id: logLetterId(topic, record.partition, record.offset),
        raw: record.value,
        reason: h[letterHeaders.error] ?? '',
        source: h[letterHeaders.originalTopic] ?? '',
        ...(h[letterHeaders.messageId] ? { messageId: h[letterHeaders.messageId] } : {}),
        ...(h[letterHeaders.attempts] !== undefined && Number.isInteger(attempts) ? { attempts } : {}),
        deadLetteredAt: h[letterHeaders.deadLetteredAt] ?? '',
        ...(redrivenAt !== undefined ? { redrivenAt } : {}),
      };
    });
}
