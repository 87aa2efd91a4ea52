// One delivery rule for every adapter: decode, run the handler with bounded retries, and decide when a message is poison.
import type { Attributes } from '@opentelemetry/api';
import { decodeEnvelope, serviceOfConsumer, type MessageEnvelope } from '@saga/contracts';
import { sagaAttributes, withMessageSpan } from '@saga/tracing';
import { messagingSignals } from './messaging-signals';
import { PoisonMessageError, type RetryPolicy } from './ports/delivery.types';
import { retryDelay } from './retry-policy';
import { isTransientInfrastructureError } from './transient-errors';

export { defaultRetryPolicy, resolvePolicy, retryDelay } from './retry-policy';

export type DeliveryOutcome =
  | { kind: 'processed' }
  /** The subscription closed while retrying: leave the message unacknowledged so it is delivered again. */
  | { kind: 'stopped' }
  /** attempts: handler runs before giving up (0 for bytes that are not an envelope). */
  | { kind: 'dead-letter'; reason: string; messageId?: string; attempts: number };

export interface DeliveryInput {
  raw: Buffer | string | null;
  handle: (envelope: MessageEnvelope, attempt: number) => Promise<void>;
  policy: RetryPolicy;
  isStopped: () => boolean;
  /** Called while waiting between retries (Kafka uses it to heartbeat so the group keeps the partition). */
  onWait?: () => Promise<void>;
  /** An attempt ran past policy.attemptTimeoutMs: it is not abandoned (no second attempt runs beside it), only reported. */
  onSlowAttempt?: (info: { attempt: number; attemptTimeoutMs: number; messageId: string }) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Each attempt runs in a consumer span, a child of the message's trace context (its headers', else its envelope's). */
  trace?: DeliveryTrace;
}

export interface DeliveryTrace {
  system: 'rabbitmq' | 'kafka' | 'in-memory';
  /** The queue or topic it was consumed from. */
  destination: string;
  /** The traceparent header the broker delivered, if any. */
  traceparent?: string;
  attributes?: Attributes;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits between attempts in short slices, so closing a consumer is not held up by a long backoff. */
const WAIT_SLICE_MS = 250;

export async function deliver(input: DeliveryInput): Promise<DeliveryOutcome> {
  const outcome = await deliverOnce(input);
  if (outcome.kind === 'dead-letter' && input.trace) {
    const group = input.trace.attributes?.['messaging.consumer.group.name'];
    messagingSignals.deadLettered({
      broker: input.trace.system,
      source: input.trace.destination,
      ...(typeof group === 'string' ? { group } : {}),
      reason: outcome.reason.startsWith('POISON') ? 'poison' : outcome.reason.startsWith('INVALID_ENVELOPE') ? 'invalid_envelope' : 'handler_failed',
    });
  }
  return outcome;
}

async function deliverOnce(input: DeliveryInput): Promise<DeliveryOutcome> {
  const decoded = decodeEnvelope(input.raw);
  if (!decoded.ok) return { kind: 'dead-letter', reason: decoded.reason, attempts: 0 };
  const { envelope } = decoded;
  const { policy } = input;
  // Counted apart: a database restart uses the transient budget without eating the one meant for real failures.
  const failures = { ordinary: 0, transient: 0 };
  for (let attempt = 1; ; attempt += 1) {
    if (input.isStopped()) return { kind: 'stopped' };
    try {
      await watched(input, envelope, attempt);
      return { kind: 'processed' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof PoisonMessageError) {
        return { kind: 'dead-letter', reason: `POISON: ${message}`, messageId: envelope.messageId, attempts: attempt };
      }
      const transient = isTransientInfrastructureError(error);
      const budget = transient ? policy.transient : policy;
      const count = (failures[transient ? 'transient' : 'ordinary'] += 1);
      if (count >= budget.maxAttempts) {
        const kind = transient ? ' (infrastructure unavailable)' : '';
        return { kind: 'dead-letter', reason: `HANDLER_FAILED after ${attempt} attempts${kind}: ${message}`, messageId: envelope.messageId, attempts: attempt };
      }
      if (await waitUnlessStopped(input, retryDelay(count, budget, input.random))) return { kind: 'stopped' };
    }
  }
}

/** Runs one attempt; a timer only reports an attempt that outlives its bound (it cannot be cancelled, and must not overlap). */
/** The consumer's service, where the platform owns the queue or group (several services may share one process). */
function consumerService(trace: DeliveryTrace | undefined): { [sagaAttributes.service]: string } | undefined {
  const group = trace?.attributes?.['messaging.consumer.group.name'];
  const service = serviceOfConsumer(typeof group === 'string' ? group : trace?.destination ?? '');
  return service ? { [sagaAttributes.service]: service } : undefined;
}

async function watched(input: DeliveryInput, envelope: MessageEnvelope, attempt: number): Promise<void> {
  const { attemptTimeoutMs } = input.policy;
  const report = input.onSlowAttempt;
  const timer = report && Number.isFinite(attemptTimeoutMs)
    ? setTimeout(() => report({ attempt, attemptTimeoutMs, messageId: envelope.messageId }), attemptTimeoutMs)
    : undefined;
  try {
    await withMessageSpan(
      {
        kind: 'consumer',
        name: `process ${envelope.type}`,
        ...(input.trace?.traceparent ?? envelope.traceparent ? { parent: input.trace?.traceparent ?? envelope.traceparent } : {}),
        attributes: {
          'messaging.system': input.trace?.system ?? 'unknown',
          'messaging.operation.type': 'process',
          'messaging.destination.name': input.trace?.destination ?? 'unknown',
          'messaging.message.id': envelope.messageId,
          [sagaAttributes.orderId]: envelope.correlationId,
          [sagaAttributes.messageType]: envelope.type,
          'saga.attempt': attempt,
          ...consumerService(input.trace),
          ...input.trace?.attributes,
        },
      },
      () => input.handle(envelope, attempt),
    );
  } finally {
    clearTimeout(timer);
  }
}

/** True when the subscription stopped during the wait; onWait runs after every slice (Kafka heartbeats through it). */
async function waitUnlessStopped(input: DeliveryInput, ms: number): Promise<boolean> {
  const sleep = input.sleep ?? realSleep;
  let left = ms;
  do {
    if (input.isStopped()) return true;
    const slice = Math.min(left, WAIT_SLICE_MS);
    if (slice > 0) await sleep(slice);
    left -= slice;
    await input.onWait?.();
  } while (left > 0);
  return false;
}
