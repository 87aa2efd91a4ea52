// The JWT environment variables every verifier reads (gateway and services alike) and how they combine.
// There is no built-in key or secret: a service verifies with the gateway's public keys (JWT_JWKS_URL) or, only when
// explicitly configured, an HS256 secret of at least 32 bytes (JWT_SECRET).
import { z } from 'zod';
import type { JSONWebKeySet } from 'jose';
import { ConfigError, field } from '@saga/platform';

const symmetric = ['HS256', 'HS384', 'HS512'] as const;
const asymmetric = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const;
const algorithm = z.enum([...symmetric, ...asymmetric]);

/** Loopback, or a name only resolvable inside a cluster or compose network ("gateway", "gateway.saga.svc"). */
export function isLoopbackOrInClusterHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(host) && !/^\d+$/.test(host)) return true; // single label: a compose service
  return /\.(svc|svc\.cluster\.local|cluster\.local)$/.test(host);
}

/** https, or plain http only to a loopback or in-cluster address (the keys must not be swappable on the way). */
const jwksUrl = () =>
  field.url({ protocols: ['http', 'https'] }).refine((value) => {
    const url = new URL(value);
    return url.protocol === 'https:' || isLoopbackOrInClusterHost(url.hostname);
  }, 'expected an https URL (plain http only for a loopback or in-cluster host such as 127.0.0.1, gateway or gateway.ns.svc)');

/** Spread into a service's config schema: `z.object({ PORT: ..., ...jwtSettingsShape })`. */
export const jwtSettingsShape = {
  // HS256 with a shared secret: only when set explicitly; HS256 needs at least 256 bits of key. No default.
  JWT_SECRET: z
    .string()
    .refine((s) => Buffer.byteLength(s, 'utf8') >= 32, 'expected at least 32 bytes (HS256 needs a 256-bit key)')
    .optional(),
  JWT_ISSUER: z.string().min(1).default('saga-platform'),
  JWT_AUDIENCE: z.string().min(1).default('saga-api'),
  // The issuer's public keys (the gateway's /.well-known/jwks.json). Wins over JWT_SECRET when both are set.
  JWT_JWKS_URL: jwksUrl().optional(),
  // Fixed by config, never read from the token. Default: HS256 with a secret, RS256 and ES256 with JWKS.
  JWT_ALGORITHMS: field.list().pipe(z.array(algorithm)).optional(),
  JWT_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).max(300).default(5),
};

export type JwtSettings = z.infer<z.ZodObject<typeof jwtSettingsShape>>;

export type KeySource =
  | { kind: 'secret'; secret: Uint8Array; algorithms: string[] }
  | { kind: 'jwks'; url: URL; algorithms: string[] }
  | { kind: 'local-jwks'; jwks: JSONWebKeySet; algorithms: string[] };

function publicKeyAlgorithms(settings: JwtSettings, variable: string): string[] {
  const algorithms = settings.JWT_ALGORITHMS ?? ['RS256', 'ES256'];
  const wrong = algorithms.filter((a) => (symmetric as readonly string[]).includes(a));
  if (wrong.length > 0) throw new ConfigError([{ variable: 'JWT_ALGORITHMS', message: `${wrong.join(', ')} cannot be verified with the public keys of ${variable}; use RS256, ES256, ...` }]);
  return algorithms;
}

/**
 * Picks the key source and checks the algorithms fit it: no HMAC with public keys, no RSA/EC with a shared secret.
 * `localJwks`: public keys known in-process (the gateway's own, the embedded mode, tests), instead of JWT_JWKS_URL.
 * Neither keys nor a secret: a configuration error, never a silent default.
 */
export function keySourceOf(settings: JwtSettings, localJwks?: JSONWebKeySet): KeySource {
  if (localJwks) return { kind: 'local-jwks', jwks: localJwks, algorithms: publicKeyAlgorithms(settings, 'the local key set') };
  if (settings.JWT_JWKS_URL) return { kind: 'jwks', url: new URL(settings.JWT_JWKS_URL), algorithms: publicKeyAlgorithms(settings, 'JWT_JWKS_URL') };
  if (!settings.JWT_SECRET) {
    throw new ConfigError([
      { variable: 'JWT_JWKS_URL', message: "no token verification key: set JWT_JWKS_URL to the gateway's /.well-known/jwks.json (or JWT_SECRET, an HS256 secret of at least 32 bytes)" },
    ]);
  }
  const algorithms = settings.JWT_ALGORITHMS ?? ['HS256'];
  const wrong = algorithms.filter((a) => !(symmetric as readonly string[]).includes(a));
  if (wrong.length > 0) throw new ConfigError([{ variable: 'JWT_ALGORITHMS', message: `${wrong.join(', ')} needs public keys; set JWT_JWKS_URL` }]);
  return { kind: 'secret', secret: new TextEncoder().encode(settings.JWT_SECRET), algorithms };
}

/** The defaults (issuer, audience, clock tolerance) and no key at all: add JWT_JWKS_URL, JWT_SECRET or local keys. */
export const defaultJwtSettings = (): JwtSettings => z.object(jwtSettingsShape).parse({});
