// Sampling that keeps every saga whole: a request that only reads (GET, HEAD, OPTIONS) and starts a trace is traced at
// a ratio; every write, command and event always; a request or span inside a trace follows the trace's decision.
import { AlwaysOnSampler, ParentBasedSampler, type Sampler } from '@opentelemetry/sdk-trace';
import { parseTraceparent } from './traceparent';

/** Methods that change nothing: no saga starts from them. */
const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The variable that sets the share of read requests traced (0…1). The default traces one in a hundred: a traced GET
 * costs the inventory two to three times the CPU of an untraced one, so at one in ten the gateway still lost a fifth of
 * its throughput to tracing (docs/benchmarks.md).
 */
export const readSampleRatioVariable = 'TRACING_READ_SAMPLE_RATIO';
export const defaultReadSampleRatio = 0.01;

/** The ratio from the environment (unset: the default); anything but a number from 0 to 1 stops the process at start. */
export function readSampleRatioOf(env: NodeJS.ProcessEnv): number {
  const raw = env[readSampleRatioVariable];
  if (raw === undefined || raw.trim() === '') return defaultReadSampleRatio;
  const ratio = Number(raw);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) throw new Error(`${readSampleRatioVariable} must be a number from 0 to 1, got "${raw}"`);
  return ratio;
}

export interface ReadSampling {
  ratio: number;
  /** The process clients reach (the gateway): a caller's sampled flag is not obeyed there. */
  edge: boolean;
  /** A draw in [0, 1): Math.random outside tests. */
  random?: () => number;
}

/**
 * Whether an incoming request goes untraced, decided before the HTTP instrumentation does any work: an untraced request
 * costs next to nothing, while a traced one, sampled or not, pays for its server span, its context binding and a span
 * per route and query (a traced GET costs the inventory about twice the CPU of an untraced one). Reads are the bulk of
 * a platform's requests and a saga's trace is the one an operator opens, so:
 * - a write is always traced (the edge and the services alike): its trace is an order's saga;
 * - a read that carries a valid traceparent inside the platform follows it (the order service's price lookup, part of a
 *   saga, is traced; a read the gateway left untraced stays untraced downstream);
 * - any other read, and every read at the edge, is traced at the ratio.
 */
export function leavesReadUntraced(request: { method?: string; headers: Record<string, string | string[] | undefined> }, sampling: ReadSampling): boolean {
  if (!readMethods.has((request.method ?? 'GET').toUpperCase())) return false;
  const header = request.headers.traceparent;
  const parent = typeof header === 'string' ? parseTraceparent(header) : undefined;
  if (parent !== undefined && !sampling.edge) return !parent.sampled;
  return (sampling.random ?? Math.random)() >= sampling.ratio;
}

/**
 * Spans follow their parent, so a trace is whole or absent. At the edge a parent from outside is still continued (its
 * trace id kept), but its sampled flag is not obeyed: a client could otherwise switch its order's trace off with
 * `traceparent: …-00`, or have every one of its reads traced with `…-01`.
 */
export function sagaFirstSampler(options: { edge: boolean }): Sampler {
  const always = new AlwaysOnSampler();
  return new ParentBasedSampler(options.edge ? { root: always, remoteParentSampled: always, remoteParentNotSampled: always } : { root: always });
}
