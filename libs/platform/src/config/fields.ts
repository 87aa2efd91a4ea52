// Reusable zod fields for environment variables (which are always strings), with readable errors.
import { z } from 'zod';

const portMessage = 'expected a port number (0-65535)';
const durationMessage = 'expected a duration such as 250, 250ms, 30s, 5m or 1h';
const booleanMessage = 'expected true, false, 1 or 0';

/** TCP port: "8080" -> 8080. Port 0 is allowed (the OS picks one; handy in tests). */
const port = () =>
  z
    .string()
    .trim()
    .regex(/^\d{1,5}$/, portMessage)
    .transform(Number)
    .refine((n) => n <= 65535, portMessage);

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Absolute URL with a host, kept as a string for drivers; optionally restricted to some schemes. */
const url = (options: { protocols?: string[] } = {}) => {
  const schemes = options.protocols?.join(', ');
  return z.url({
    // Without a host check, "localhost:9092" parses as a URL with scheme "localhost:".
    hostname: /.+/,
    ...(options.protocols && { protocol: new RegExp(`^(${options.protocols.map(escapeRegExp).join('|')})$`) }),
    error: schemes ? `expected a URL (${schemes})` : 'expected a URL',
  });
};

/** "a, b,,c" -> ["a", "b", "c"]; at least one item. */
const list = () =>
  z
    .string()
    .transform((s) => s.split(',').map((item) => item.trim()).filter((item) => item.length > 0))
    .pipe(z.array(z.string()).min(1, 'expected a comma-separated list'));

const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const durationPattern = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;

/** Duration in milliseconds: a bare number is ms; "30s", "5m", "1h" are converted. */
const durationMs = () =>
  z
    .string()
    .trim()
    .regex(durationPattern, durationMessage)
    .transform((s) => {
      const [, amount = '0', unit = 'ms'] = durationPattern.exec(s) ?? [];
      return Math.round(Number(amount) * unitMs[unit as keyof typeof unitMs]);
    });

/** Strict boolean: "true"/"false"/"1"/"0" (any case). Anything else is an error, not false. */
const boolean = () =>
  z
    .string()
    .transform((s) => s.trim().toLowerCase())
    .pipe(z.enum(['true', 'false', '1', '0'], { error: booleanMessage }))
    .transform((s) => s === 'true' || s === '1');

const logLevel = () =>
  z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    error: 'expected one of fatal, error, warn, info, debug, trace, silent',
  });

/** Field helpers: `z.object({ PORT: field.port().default(3000), AMQP_URL: field.url() })`. */
export const field = { port, url, list, durationMs, boolean, logLevel };
