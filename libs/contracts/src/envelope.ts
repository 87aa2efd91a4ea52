// The envelope every message travels in, on Kafka and RabbitMQ alike: identity, type, causality and the payload.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';

export const messageEnvelopeSchema = z.object({
  messageId: z.uuid(),
  type: z.string().min(1).max(200),
  version: z.number().int().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  /** The business id the message is about (the orderId): lets logs and timelines group one order's messages. */
  correlationId: z.string().min(1).max(200),
  /** The messageId (or request id) that caused this message; absent for messages a user's request started. */
  causationId: z.string().min(1).max(200).optional(),
  /** W3C trace context, so a trace spans services across the broker hop. */
  traceparent: z.string().max(200).optional(),
  payload: z.unknown(),
});

export type MessageEnvelope<P = unknown> = Omit<z.infer<typeof messageEnvelopeSchema>, 'payload'> & { payload: P };

export interface EnvelopeMeta {
  correlationId: string;
  causationId?: string;
  traceparent?: string;
}

/** Where time and ids come from, injected so tests and pure code stay deterministic. */
export interface EnvelopeFactoryDeps {
  now: () => Date;
  newId: () => string;
}

const systemDeps: EnvelopeFactoryDeps = { now: () => new Date(), newId: randomUUID };

export function createEnvelope<P>(
  type: string,
  version: number,
  payload: P,
  meta: EnvelopeMeta,
  deps: EnvelopeFactoryDeps = systemDeps,
): MessageEnvelope<P> {
  return {
    messageId: deps.newId(),
    type,
    version,
    occurredAt: deps.now().toISOString(),
    correlationId: meta.correlationId,
    ...(meta.causationId === undefined ? {} : { causationId: meta.causationId }),
    ...(meta.traceparent === undefined ? {} : { traceparent: meta.traceparent }),
    payload,
  };
}

export type DecodeResult = { ok: true; envelope: MessageEnvelope } | { ok: false; reason: string };

/** Decodes raw bytes from a broker into an envelope; never throws, so a poison message becomes a value to dead-letter. */
export function decodeEnvelope(raw: Buffer | string | null | undefined): DecodeResult {
  if (raw === null || raw === undefined) return { ok: false, reason: 'INVALID_ENVELOPE: empty message' };
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `INVALID_ENVELOPE: not JSON (${(error as Error).message})` };
  }
  const parsed = messageEnvelopeSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `INVALID_ENVELOPE: ${formatIssues(parsed.error)}` };
  return { ok: true, envelope: parsed.data };
}

export function encodeEnvelope(envelope: MessageEnvelope): Buffer {
  return Buffer.from(JSON.stringify(envelope), 'utf8');
}

export function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}
