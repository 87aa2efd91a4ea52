// The simulated card provider's HTTP app, shaped like Stripe's: durable books over a SqlClient, idempotency keys, card errors.
import type { SqlClient } from '@saga/db';
import type { Metrics } from '@saga/metrics';
import { createHttpApp, createLogger, createReadiness, type Logger } from '@saga/platform';
import type { Express } from 'express';
import { LatencySetting } from './app/latency-setting';
import { randomId, type ProviderBooks } from './app/provider-books';
import type { Clock } from './domain/provider-objects';
import { adminLatencyRoutes } from './http/admin-latency.routes';
import { providerRoutes } from './http/provider.routes';

export type { Charge, ChargeVoid, Clock, Refund } from './domain/provider-objects';
export { migrateProviderDb } from './store/provider-migrations';

export interface ProviderAppOptions {
  /** The provider's own database, already migrated (migrateProviderDb): its charges, refunds and idempotency keys. */
  db: SqlClient;
  clock: Clock;
  /** Amounts above this many cents are declined (card_velocity_exceeded). Default 100000. */
  declineAboveCents?: number;
  /** Simulated card-network latency before every POST /v1/charges and /v1/refunds answer (the work is committed first). Default 0. */
  latencyMs?: number;
  /** Simulated outage: every /v1 endpoint answers 503. Default false. */
  unavailable?: boolean;
  /** Mounts GET/POST /admin/latency (test harnesses only; PROVIDER_ADMIN_ENABLED). Default false. */
  adminEnabled?: boolean;
  logger?: Logger;
  /** The process's metrics (HTTP RED per route); absent: none recorded. */
  metrics?: Metrics;
  newId?: (prefix: 'ch' | 're') => string;
}

export function createProviderApp(options: ProviderAppOptions): Express {
  const logger = options.logger ?? createLogger({ service: 'payment-provider', level: 'silent' });
  const books: ProviderBooks = {
    db: options.db,
    clock: options.clock,
    declineAboveCents: options.declineAboveCents ?? 100_000,
    newId: options.newId ?? randomId,
  };
  const latency = new LatencySetting(options.latencyMs ?? 0);

  return createHttpApp({
    service: 'payment-provider',
    logger,
    ...(options.metrics && { metrics: options.metrics }),
    // Ready when the books can be reached: a provider that cannot record a charge must not be sent one.
    readiness: createReadiness({ checks: { database: () => options.db.query('SELECT 1') } }),
    routes: (app) => {
      providerRoutes(app, { books, latency, unavailable: options.unavailable ?? false });
      if (options.adminEnabled) adminLatencyRoutes(app, latency);
    },
  });
}
