// The order service's environment variables, parsed once by main.ts (the only reader of process.env).
import { sagaModes } from '@saga/contracts';
import { jwtSettingsShape } from '@saga/auth';
import { deliverySettingsShape } from '@saga/messaging';
import { faultSettingsShape } from '@saga/faults';
import { metricsSettingsShape } from '@saga/metrics';
import { field } from '@saga/platform';
import { z } from 'zod';

export const orderConfigSchema = z.object({
  PORT: field.port().default(3001),
  DATABASE_URL: field.url({ protocols: ['postgres', 'postgresql'] }),
  RABBITMQ_URL: field.url({ protocols: ['amqp', 'amqps'] }),
  KAFKA_BROKERS: field.list().default(['127.0.0.1:9092']),
  INVENTORY_URL: field.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:3002'),
  /** How long a saga step may go unanswered before the saga compensates (forward) or resends (compensation). */
  ORDER_STEP_TIMEOUT_MS: field.durationMs().default(10_000),
  ORDER_MAX_COMPENSATION_ATTEMPTS: z.coerce.number().int().min(1).max(1_000).default(20),
  /**
   * How long a choreographed order may stay PENDING after it was placed before the order service cancels it
   * (DEADLINE_EXCEEDED) and the participants compensate: the choreography's answer to a participant that never
   * answers. Three times the step timeout: the whole flow, not one step (docs/decisions/0014).
   */
  CHOREOGRAPHY_DEADLINE_MS: field.durationMs().default(30_000),
  /** How often the order service looks for choreographed orders past that deadline. */
  CHOREOGRAPHY_REAP_INTERVAL_MS: field.durationMs().default(1_000),
  DEFAULT_SAGA_MODE: z.enum(sagaModes).default('orchestration'),
  /** How long one GET /orders/stream lasts before it ends and the client reconnects (and is authenticated again). */
  ORDER_STREAM_MAX_MS: field.durationMs().default(600_000),
  /** Set: register with this Consul agent on start (deregister on shutdown) and find other services through it. */
  CONSUL_URL: field.url({ protocols: ['http', 'https'] }).optional(),
  /** The address other services and Consul's health check reach this instance on (default 127.0.0.1). */
  SERVICE_ADDRESS: z.string().trim().min(1).optional(),
  LOG_LEVEL: field.logLevel().default('info'),
  // RABBITMQ_CONSUMER_TIMEOUT_MS / DB_CONNECT_TIMEOUT_MS / DB_STATEMENT_TIMEOUT_MS / DB_POOL_HTTP_HEADROOM: delivery bounds.
  ...deliverySettingsShape,
  // JWT_SECRET / JWT_ISSUER / JWT_AUDIENCE / JWT_JWKS_URL / JWT_ALGORITHMS: the same settings the gateway verifies with.
  ...jwtSettingsShape,
  // FAULTS_ENABLED: the /admin/faults switch (off unless a deployment turns it on).
  ...faultSettingsShape,
  // METRICS_PORT (unset: no /metrics server) / METRICS_HOST (default 127.0.0.1).
  ...metricsSettingsShape,
});

export type OrderConfig = z.infer<typeof orderConfigSchema>;
