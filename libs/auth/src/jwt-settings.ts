// The JWT environment variables every verifier reads (gateway and services alike) and how they combine.
import { z } from 'zod';
import { field } from '@saga/platform';

/** Clearly a development secret: anything deployed must set JWT_SECRET (or JWT_JWKS_URL). */
export const DEV_JWT_SECRET = 'dev-only-insecure-jwt-secret-change-me-0123456789';

const symmetric = ['HS256', 'HS384', 'HS512'] as const;
const asymmetric = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const;
const algorithm = z.enum([...symmetric, ...asymmetric]);

/** Spread into a service's config schema: `z.object({ PORT: ..., ...jwtSettingsShape })`. */
export const jwtSettingsShape = {
  // HS256 needs at least 256 bits of key.
  JWT_SECRET: z.string().min(32, 'expected at least 32 characters (HS256 needs a 256-bit key)').default(DEV_JWT_SECRET),
  JWT_ISSUER: z.string().min(1).default('saga-platform'),
  JWT_AUDIENCE: z.string().min(1).default('saga-api'),
  // Set: tokens come from a real issuer whose public keys are served here; JWT_SECRET and the demo issuer are unused.
  JWT_JWKS_URL: field.url({ protocols: ['http', 'https'] }).optional(),
  // Fixed by config, never read from the token. Default: HS256 with a secret, RS256 and ES256 with JWKS.
  JWT_ALGORITHMS: field.list().pipe(z.array(algorithm)).optional(),
  JWT_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).max(300).default(5),
};

export type JwtSettings = z.infer<z.ZodObject<typeof jwtSettingsShape>>;

export type KeySource =
  | { kind: 'secret'; secret: Uint8Array; algorithms: string[] }
  | { kind: 'jwks'; url: URL; algorithms: string[] };

/** Picks the key source and checks the algorithms fit it: no HMAC with JWKS keys, no RSA/EC with a shared secret. */
export function keySourceOf(settings: JwtSettings): KeySource {
  if (settings.JWT_JWKS_URL) {
    const algorithms = settings.JWT_ALGORITHMS ?? ['RS256', 'ES256'];
    const wrong = algorithms.filter((a) => (symmetric as readonly string[]).includes(a));
    if (wrong.length > 0) throw new Error(`JWT_ALGORITHMS: ${wrong.join(', ')} cannot be verified with JWKS public keys; use RS256, ES256, ...`);
    return { kind: 'jwks', url: new URL(settings.JWT_JWKS_URL), algorithms };
  }
  const algorithms = settings.JWT_ALGORITHMS ?? ['HS256'];
  const wrong = algorithms.filter((a) => !(symmetric as readonly string[]).includes(a));
  if (wrong.length > 0) throw new Error(`JWT_ALGORITHMS: ${wrong.join(', ')} needs public keys; set JWT_JWKS_URL`);
  return { kind: 'secret', secret: new TextEncoder().encode(settings.JWT_SECRET), algorithms };
}

/** The settings as the defaults give them, for tests and the embedded mode. */
export const defaultJwtSettings = (): JwtSettings => z.object(jwtSettingsShape).parse({});
