// The inventory's environment variables, parsed once by main.ts (the only reader of process.env).
import { jwtSettingsShape } from '@saga/auth';
import { deliverySettingsShape } from '@saga/messaging';
import { faultSettingsShape } from '@saga/faults';
import { metricsSettingsShape } from '@saga/metrics';
import { field } from '@saga/platform';
import { z } from 'zod';

export const inventoryConfigSchema = z.object({
  PORT: field.port().default(3002),
  DATABASE_URL: field.url({ protocols: ['postgres', 'postgresql'] }),
  RABBITMQ_URL: field.url({ protocols: ['amqp', 'amqps'] }),
  /** Comma-separated host:port list; the choreographed saga's events. */
  KAFKA_BROKERS: field.list().default(['127.0.0.1:9092']),
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

export type InventoryConfig = z.infer<typeof inventoryConfigSchema>;
