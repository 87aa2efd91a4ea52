// The gateway's configuration: port, upstreams (static URLs, or Consul when CONSUL_URL is set), JWT issuer settings, limits,
// and the Toxiproxy of the services' broker links (TOXIPROXY_URL).
import { z } from 'zod';
import { jwtSettingsShape, type DemoUser } from '@saga/auth';
import { brokerLinkSettingsShape } from '@saga/faults';
import { metricsSettingsShape } from '@saga/metrics';
import { ConfigError, field, loadConfig, type Env, type ConfigProblem } from '@saga/platform';

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
  // The ES256 signing key (PKCS#8 PEM): its text (e.g. from a Secret), or a file, generated at first start if missing.
  // Neither, on a loopback HOST: .local/keys/jwt-signing-key.pem. Unused with JWT_SECRET (HS256) or JWT_JWKS_URL.
  JWT_SIGNING_KEY: z.string().min(1).optional(),
  JWT_SIGNING_KEY_FILE: z.string().min(1).optional(),
  // Lifetime of the issuer's tokens (POST /auth/token; disabled when JWT_JWKS_URL names a real issuer).
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
  // alice, bob and admin with their documented passwords: only the local modes on a loopback HOST turn this on.
  DEMO_USERS_ENABLED: field.boolean().default(false),
  // Otherwise one user, admin: its password from here, or from this file (generated there at first start if missing).
  ADMIN_PASSWORD: z.string().min(12, 'expected at least 12 characters').optional(),
  ADMIN_PASSWORD_FILE: z.string().min(1).optional(),
  DEMO_USERS: demoUsers().default([
    { username: 'alice', password: 'alice-secret', roles: ['customer'] },
    { username: 'bob', password: 'bob-secret', roles: ['customer'] },
    { username: 'admin', password: 'admin-secret', roles: ['admin'] },
  ]),
  LOG_LEVEL: field.logLevel().default('info'),
  // METRICS_PORT (unset: no /metrics server) / METRICS_HOST (default 127.0.0.1).
  ...metricsSettingsShape,
  // TOXIPROXY_URL (unset: /api/admin/links is off, 404) / TOXIPROXY_LINK_PREFIX: the services' broker links to slow or cut.
  ...brokerLinkSettingsShape,
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

/** 127.0.0.0/8, ::1 or localhost: reachable from this machine only. */
export const isLoopbackHost = (host: string): boolean => {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
};

/** The documented demo password of the admin: accepted in the local modes only. */
const DEMO_ADMIN_PASSWORD = 'admin-secret';

export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  const config = loadConfig(gatewayConfigSchema, env);
  const problems: ConfigProblem[] = [];
  if (config.DEMO_USERS_ENABLED && !isLoopbackHost(config.HOST)) {
    problems.push({ variable: 'DEMO_USERS_ENABLED', message: `the demo users (documented passwords) are for a gateway bound to loopback only; HOST is ${config.HOST}: set HOST=127.0.0.1, or unset DEMO_USERS_ENABLED and set ADMIN_PASSWORD / ADMIN_PASSWORD_FILE` });
  }
  if (!config.DEMO_USERS_ENABLED && env.DEMO_USERS) problems.push({ variable: 'DEMO_USERS', message: 'only used with DEMO_USERS_ENABLED=true (local modes)' });
  if (!config.DEMO_USERS_ENABLED && config.ADMIN_PASSWORD === DEMO_ADMIN_PASSWORD) problems.push({ variable: 'ADMIN_PASSWORD', message: 'the documented demo password is accepted in the local demo modes only' });
  if (config.JWT_SECRET && (config.JWT_SIGNING_KEY || config.JWT_SIGNING_KEY_FILE)) {
    problems.push({ variable: 'JWT_SECRET', message: 'set either JWT_SECRET (HS256, shared secret) or JWT_SIGNING_KEY / JWT_SIGNING_KEY_FILE (ES256), not both' });
  }
  if (config.JWT_SIGNING_KEY && config.JWT_SIGNING_KEY_FILE) problems.push({ variable: 'JWT_SIGNING_KEY', message: 'set JWT_SIGNING_KEY or JWT_SIGNING_KEY_FILE, not both' });
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
