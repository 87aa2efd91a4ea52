// Config from the environment: parsed once at start by a zod schema, failing fast with every problem listed.
import { z } from 'zod';

export type Env = Record<string, string | undefined>;

export interface ConfigProblem {
  variable: string;
  message: string;
}

/** Lists every bad or missing variable at once, so one restart fixes them all. Values are never echoed: they may be secrets. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: ConfigProblem[]) {
    super(['Invalid configuration:', ...problems.map((p) => `  - ${p.variable}: ${p.message}`)].join('\n'));
  }
}

/**
 * Parses `env` with `schema` (usually a z.object of the variables a service reads).
 * An empty variable counts as unset, so `FOO=` in an env file falls back to the default
 * instead of failing as, say, an invalid URL.
 */
export function loadConfig<T>(schema: z.ZodType<T>, env: Env = process.env): T {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const variable = issue.path.map(String).join('.') || '(environment)';
      const missing = issue.code === 'invalid_type' && issue.path.length === 1 && present[variable] === undefined;
      return { variable, message: missing ? 'Required' : issue.message };
    }),
  );
}
