// How the gateway's own admin routes (dead letters, traces, the system view) reach the services behind it: which
// instances each upstream has right now, and one GET that answers JSON or says why not, never throws.
import type { Logger } from '@saga/platform';
import { wasLeftUntraced } from '@saga/tracing';
import type { Request } from 'express';
import type { UpstreamName } from './upstream-proxy';

export interface UpstreamDirectory {
  upstreams: readonly UpstreamName[];
  /** Where the upstream's instances come from: the registry (CONSUL_URL, or npm start's in-memory one) or its *_URL. */
  sourceOf: (name: UpstreamName) => 'registry' | 'static';
  /** The base URL of every instance known right now (static: its one URL; registry: the healthy ones). */
  instancesOf: (name: UpstreamName) => string[];
  /** One instance (static, or the next healthy one, round robin), for what any instance answers alike; undefined when none. */
  baseUrlOf: (name: UpstreamName) => string | undefined;
}

export interface FanOutOptions {
  timeoutMs: number;
  fetch: typeof fetch;
  logger: Logger;
}

/** A read from one instance: the JSON body, or why there is none (`answered <status>`, or the network error). */
export type InstanceRead = { ok: true; status: number; body: unknown } | { ok: false; reason: string };

/**
 * GET `path` from one instance with the caller's own token (each service checks the admin role itself, as behind the
 * proxy) and request id. `accept` lists the statuses whose body is the answer (default: any 2xx), e.g.
 * 503 for a readiness report that says why.
 */
export async function readFromInstance(base: string, path: string, req: Request, options: FanOutOptions, accept?: readonly number[]): Promise<InstanceRead> {
  try {
    const response = await options.fetch(new URL(path, base), {
      // No traceparent copied from the client: the fetch instrumentation sends the gateway's own span as the parent. A
      // read the sampler left untraced has no span: its "-00" (set by the gateway) tells the services not to trace it.
      headers: {
        authorization: req.get('authorization') ?? '',
        'x-request-id': req.get('x-request-id') ?? '',
        ...(wasLeftUntraced(req) && typeof req.headers.traceparent === 'string' ? { traceparent: req.headers.traceparent } : {}),
      },
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    if (!(accept ? accept.includes(response.status) : response.ok)) {
      await response.body?.cancel();
      return { ok: false, reason: `answered ${response.status}` };
    }
    return { ok: true, status: response.status, body: await response.json() };
  } catch (error) {
    options.logger.warn({ err: error, instance: base, path: path.split('?')[0] }, 'could not read from an upstream instance');
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
