// The environment variables that bound message delivery, spread into every service's config schema (same names everywhere).
import { field } from '@saga/platform';
import { z } from 'zod';

/** consumer_timeout in infra/rabbitmq/rabbitmq.conf (a test keeps the two equal). */
export const DEFAULT_RABBITMQ_CONSUMER_TIMEOUT_MS = 600_000;

/** Spread into a service's schema: `z.object({ PORT: ..., ...deliverySettingsShape })`. */
export const deliverySettingsShape = {
  /** The broker's consumer_timeout: every consumer's worst-case retry schedule must end before it (checked at start). */
  RABBITMQ_CONSUMER_TIMEOUT_MS: field.durationMs().default(DEFAULT_RABBITMQ_CONSUMER_TIMEOUT_MS),
  /** Waiting for a pool connection or a new one (an exhausted pool, a silent server). */
  DB_CONNECT_TIMEOUT_MS: field.durationMs().default(5_000),
  /** Server-side statement_timeout (lock waits included), and with 1 s more the client-side timeout for a dead peer. */
  DB_STATEMENT_TIMEOUT_MS: field.durationMs().default(5_000),
  /** Pool connections beyond what consumers, relays and timers can hold at once (see derivePoolSize). */
  DB_POOL_HTTP_HEADROOM: z.coerce.number().int().min(1).max(200).default(5),
};

export type DeliverySettings = z.infer<z.ZodObject<typeof deliverySettingsShape>>;

/** Every default, for tests that build a config by hand (`{ ...defaultDeliverySettings(), PORT: 0, … }`). */
export const defaultDeliverySettings = (): DeliverySettings => z.object(deliverySettingsShape).parse({});

/** createPgClient options that keep every database wait bounded (part of what bounds one handler attempt). */
export function boundedPgOptions(settings: DeliverySettings): { connectionTimeoutMs: number; statementTimeoutMs: number; queryTimeoutMs: number } {
  return {
    connectionTimeoutMs: settings.DB_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: settings.DB_STATEMENT_TIMEOUT_MS,
    // The server cancels first (the connection stays usable); the client gives up only on a peer that stopped answering.
    queryTimeoutMs: settings.DB_STATEMENT_TIMEOUT_MS + 1_000,
  };
}

/** The database waits of one attempt, by the variable that sets them, for assertDeliveryBounds. */
export function databaseAttemptIo(settings: DeliverySettings): Record<string, number> {
  return { DB_CONNECT_TIMEOUT_MS: settings.DB_CONNECT_TIMEOUT_MS, DB_STATEMENT_TIMEOUT_MS: settings.DB_STATEMENT_TIMEOUT_MS };
}
