// A typed message contract: one type name, one version, one payload schema, validated on publish and on consume.
import { z } from 'zod';
import { createEnvelope, formatIssues, type EnvelopeFactoryDeps, type EnvelopeMeta, type MessageEnvelope } from './envelope';

export class ContractViolationError extends Error {
  constructor(
    readonly messageType: string,
    readonly reason: string,
  ) {
    super(`${messageType} violates its contract: ${reason}`);
    this.name = 'ContractViolationError';
  }
}

export interface MessageContract<Type extends string, Payload> {
  readonly type: Type;
  readonly version: number;
  readonly schema: z.ZodType<Payload>;
  /** Builds an envelope; throws ContractViolationError if the payload breaks the schema (a bug in the sender). */
  create(payload: Payload, meta: EnvelopeMeta, deps?: EnvelopeFactoryDeps): MessageEnvelope<Payload>;
  /** Checks an envelope received from a broker: same type, a version we understand, a valid payload. */
  parse(envelope: MessageEnvelope): { ok: true; message: MessageEnvelope<Payload> } | { ok: false; reason: string };
  is(envelope: MessageEnvelope): boolean;
}

export function defineMessage<Type extends string, Payload>(
  type: Type,
  version: number,
  schema: z.ZodType<Payload>,
): MessageContract<Type, Payload> {
  const checkPayload = (payload: unknown): { ok: true; payload: Payload } | { ok: false; reason: string } => {
    const result = schema.safeParse(payload);
    return result.success ? { ok: true, payload: result.data } : { ok: false, reason: formatIssues(result.error) };
  };
  return {
    type,
    version,
    schema,
    create(payload, meta, deps) {
      const checked = checkPayload(payload);
      if (!checked.ok) throw new ContractViolationError(type, checked.reason);
      return createEnvelope(type, version, checked.payload, meta, deps);
    },
    parse(envelope) {
      if (envelope.type !== type) return { ok: false, reason: `expected type ${type}, got ${envelope.type}` };
      // Same major contract only: a newer version means a producer deployed ahead of us; dead-letter, don't guess.
      if (envelope.version !== version) return { ok: false, reason: `${type} v${envelope.version} is not supported (expects v${version})` };
      const checked = checkPayload(envelope.payload);
      return checked.ok ? { ok: true, message: { ...envelope, payload: checked.payload } } : { ok: false, reason: `${type}: ${checked.reason}` };
    },
    is(envelope) {
      return envelope.type === type;
    },
  };
}
