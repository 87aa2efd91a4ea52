// The gateway's configuration: port, upstreams (static URLs, or Consul when CONSUL_URL is set), JWT issuer settings, limits.
import { z } from 'zod';
import { jwtSettingsShape, type DemoUser } from '@saga/auth';
import { field, loadConfig, type Env } from '@saga/platform';

export { DEV_JWT_SECRET } from '@saga/auth';

const byteUnits = { b: 1, kb: 1024, mb: 1024 * 1024 } as const;
const bytesPattern = /^(\d+)\s*(b|kb|mb)?$/i;

/** "100kb" -> 102400; a bare number is bytes. */
const bytes = () =>
  z
    .string()
    .trim()
    .regex(bytesPattern, 'expected a size such as 102400, 100kb or 1mb')
    .transform((s) => {
      const [, amount = '0', unit = 'b'] = bytesPattern.exec(s) ?? [];
      return Number(amount) * byteUnits[unit.toLowerCase() as keyof typeof byteUnits];
    });

const positiveInt = () => z.string().trim().regex(/^\d+$/, 'expected a whole number').transform(Number).refine((n) => n > 0, 'expected a number above 0');

/** "alice:alice-secret:customer,admin:admin-secret:admin|customer" — username:password:roles (roles separated by "|"). */
const demoUsers = () =>
  z
    .string()
    .transform((s, ctx) => {
      const users: DemoUser[] = [];
      for (const entry of s.split(',').map((e) => e.trim()).filter((e) => e.length > 0)) {
        const [username, password, roles] = entry.split(':');
        if (!username || !password || !roles) {
          ctx.addIssue({ code: 'custom', message: 'expected username:password:role[|role...] entries separated by commas' });
          return z.NEVER;
        }
        users.push({ username, password, roles: roles.split('|').filter((r) => r.length > 0) });
      }
      return users;
    });

export const gatewayConfigSchema = z.object({
  PORT: field.port().default(8080),
  HOST: z.string().default('0.0.0.0'),
  ORDER_URL: field.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:3001'),
  INVENTORY_URL: field.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:3002'),
  PAYMENT_URL: field.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:3003'),
  NOTIFICATION_URL: field.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:3004'),
  // Set: upstream instances come from this Consul agent (healthy only, round robin) and the *_URL above are unused.
  CONSUL_URL: field.url({ protocols: ['http', 'https'] }).optional(),
  // JWT_SECRET, JWT_ISSUER, JWT_AUDIENCE, JWT_JWKS_URL, JWT_ALGORITHMS: the same settings every service verifies with.
  ...jwtSettingsShape,
  // Lifetime of the demo issuer's tokens (POST /auth/token; disabled when JWT_JWKS_URL names a real issuer).
  JWT_TTL_S: positiveInt().default(900),
  RATE_LIMIT_MAX: positiveInt().default(100),
  RATE_LIMIT_WINDOW_MS: field.durationMs().default(10_000),
  AUTH_RATE_LIMIT_MAX: positiveInt().default(10),
  // Set: the rate-limit counters live in Redis, shared by every gateway replica. Unset: in this process's memory.
  REDIS_URL: field.url({ protocols: ['redis', 'rediss'] }).optional(),
  // Prepended to the Redis keys: gateways of different platforms can share one Redis without sharing limits.
  RATE_LIMIT_KEY_PREFIX: z.string().max(64).regex(/^[A-Za-z0-9:_-]*$/, 'expected letters, digits, ":", "_" or "-"').default(''),
  UPSTREAM_TIMEOUT_MS: field.durationMs().default(5000),
  // How long an open breaker fails fast before it lets one trial request through to the upstream.
  UPSTREAM_BREAKER_RESET_MS: field.durationMs().default(10_000),
  BODY_LIMIT: bytes().default(100 * 1024),
  DEMO_USERS: demoUsers().default([
    { username: 'alice', password: 'alice-secret', roles: ['customer'] },
    { username: 'bob', password: 'bob-secret', roles: ['customer'] },
    { username: 'admin', password: 'admin-secret', roles: ['admin'] },
  ]),
  LOG_LEVEL: field.logLevel().default('info'),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  return loadConfig(gatewayConfigSchema, env);
}
