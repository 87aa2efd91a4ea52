// What Toxiproxy's API answers about a proxy, checked and reduced to what the platform reads; its failures as one error type.
import { z } from 'zod';

const toxicSchema = z.object({
  name: z.string(),
  type: z.string(),
  stream: z.enum(['upstream', 'downstream']),
  toxicity: z.number(),
  attributes: z.record(z.string(), z.unknown()).nullish(),
});
const proxySchema = z.object({
  name: z.string(),
  listen: z.string(),
  upstream: z.string(),
  enabled: z.boolean(),
  toxics: z.array(toxicSchema).nullish(),
});

export interface ToxicState {
  name: string;
  type: string;
  stream: 'upstream' | 'downstream';
  toxicity: number;
  /** The toxic's numeric settings (latency and jitter in ms, rate in KB/s, …). */
  attributes: Record<string, number>;
}

export interface ProxyState {
  name: string;
  /** host:port the proxy listens on (kept while it is cut, so a restore listens there again). */
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicState[];
}

/** A call that failed: `status` is what Toxiproxy answered, undefined when it did not answer at all. */
export class ToxiproxyError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ToxiproxyError';
  }
}

/** A proxy as Toxiproxy describes it, toxics with their numeric settings only; a malformed answer is Toxiproxy's failure. */
export function stateOf(raw: unknown, what: string): ProxyState {
  const parsed = proxySchema.safeParse(raw);
  if (!parsed.success) throw new ToxiproxyError(`Toxiproxy answered ${what} with an unexpected body: ${parsed.error.message}`, 200);
  const { name, listen, upstream, enabled, toxics } = parsed.data;
  return {
    name,
    listen,
    upstream,
    enabled,
    toxics: (toxics ?? []).map((toxic) => ({
      ...toxic,
      attributes: Object.fromEntries(Object.entries(toxic.attributes ?? {}).filter((entry): entry is [string, number] => typeof entry[1] === 'number')),
    })),
  };
}
