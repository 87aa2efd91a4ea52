// Reads a dead-lettered RabbitMQ message back into a DeadLetter, whoever parked it: our consumer or the broker itself.
import type { Message } from 'amqplib';
import type { DeadLetter } from '../ports/delivery.types';

interface XDeathEntry {
  reason?: string;
  queue?: string;
  time?: { value?: number } | Date;
}

export function toDeadLetter(message: Message): DeadLetter {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  const death = Array.isArray(headers['x-death']) ? (headers['x-death'][0] as XDeathEntry) : undefined;
  // Our consumers say why in x-error; the broker (delivery limit exceeded, i.e. a consumer crash loop) only says x-death.
  const reason = typeof headers['x-error'] === 'string' ? headers['x-error'] : `BROKER_DEAD_LETTERED: ${death?.reason ?? 'unknown'}`;
  const source = typeof headers['x-original-queue'] === 'string' ? headers['x-original-queue'] : String(headers['x-first-death-queue'] ?? death?.queue ?? '');
  const messageId = message.properties.messageId ? String(message.properties.messageId) : undefined;
  return {
    raw: message.content.toString('utf8'),
    reason,
    source,
    ...(messageId && !messageId.startsWith('raw-') ? { messageId } : {}),
    deadLetteredAt: typeof headers['x-dead-lettered-at'] === 'string' ? headers['x-dead-lettered-at'] : deathTime(death),
  };
}

function deathTime(death: XDeathEntry | undefined): string {
  const time = death?.time;
  if (time instanceof Date) return time.toISOString();
  if (time && typeof time.value === 'number') return new Date(time.value * 1000).toISOString();
  return '';
}
