// Where a saga's time goes, read from its trace: the chain of hops from the POST to the step that ended the saga, each
// hop's time split into PostgreSQL queries, HTTP calls, the handler's own code, publishing, the outbox relay's wait
// and the broker's delivery. A profile of latency, not of CPU: it says what a saga waits for.
import type { SagaMode } from '@saga/contracts';
import type { TraceSpan } from '@saga/tracing';
import type { SagaStep } from '../e2e/support/order-client';

/**
 * Where each mode's history says "approved": orchestration approves when T3 succeeds (the saga row's CHARGE_PAYMENT);
 * choreography when the order service publishes OrderApproved (the timeline's APPROVE_ORDER).
 */
export const approvedStep: Record<SagaMode, SagaStep> = { orchestration: 'CHARGE_PAYMENT', choreography: 'APPROVE_ORDER' };

export const sagaTimeShares = [
  'before the first span (client, network, accept)',
  'gateway (auth, rate limit, proxy)',
  'PostgreSQL queries',
  'PostgreSQL BEGIN and COMMIT',
  'HTTP calls to other services',
  'handler code, pool waits',
  'outbox wait (commit → relay publishes)',
  'publish (until the broker confirms)',
  'broker delivery (publish → consumer)',
  'other gaps between hops',
] as const;
export type SagaTimeShare = (typeof sagaTimeShares)[number];
export type SagaTime = Record<SagaTimeShare, number>;

const endOf = (span: TraceSpan) => span.startTimeMs + span.durationMs;
/** Step times are whole milliseconds from Date; span times have microseconds. */
const clockSlackMs = 1;

/** Total length of the union of [start, end) intervals, each clipped to [from, to). */
function unionLength(intervals: readonly (readonly [number, number])[], from: number, to: number): number {
  const clipped = intervals
    .map(([start, end]) => [Math.max(start, from), Math.min(end, to)] as const)
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let reach = from;
  for (const [start, end] of clipped) {
    if (end <= reach) continue;
    total += end - Math.max(start, reach);
    reach = end;
  }
  return total;
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
const numberAttribute = (span: TraceSpan, key: string): number => (typeof span.attributes[key] === 'number' ? (span.attributes[key] as number) : 0);

/** A transaction span's statements and BEGIN+COMMIT time, in the share of it that lies within [from, to). */
function transactionShares(span: TraceSpan, from: number, to: number): { statementsMs: number; beginCommitMs: number } {
  const inside = span.durationMs > 0 ? Math.max(0, Math.min(endOf(span), to) - Math.max(span.startTimeMs, from)) / span.durationMs : 1;
  return {
    statementsMs: numberAttribute(span, 'saga.db.statements_ms') * inside,
    beginCommitMs: (numberAttribute(span, 'saga.db.begin_ms') + numberAttribute(span, 'saga.db.commit_ms')) * inside,
  };
}

/**
 * The saga's time from `clientStartMs` (the client sent its POST) to `sagaEndMs` (the last step's recorded time), split
 * along the causal chain that ends in the span during which the last step was recorded: undefined when the trace holds
 * no such span (its spans aged out of a store, or it was not traced). The shares add up to sagaEndMs − clientStartMs.
 */
export function sagaTimeOf(spans: readonly TraceSpan[], clientStartMs: number, sagaEndMs: number): SagaTime | undefined {
  return sagaPathOf(spans, clientStartMs, sagaEndMs)?.time;
}

/** The longest wait between two hops of a saga's path, and the hop it delayed ("inventory: process ReserveStock"). */
export interface LongestWait {
  ms: number;
  share: SagaTimeShare;
  into: string;
  /** When the delayed hop started (epoch ms). */
  at: number;
}

/** sagaTimeOf, with the longest wait on the path: where a slow saga queued. */
export function sagaPathOf(spans: readonly TraceSpan[], clientStartMs: number, sagaEndMs: number): { time: SagaTime; longestWait?: LongestWait } | undefined {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const children = new Map<string, TraceSpan[]>();
  for (const span of spans) if (span.parentSpanId) children.set(span.parentSpanId, [...(children.get(span.parentSpanId) ?? []), span]);
  // The last step was recorded inside a handler: the consumer or server span around that moment, the latest to start.
  const last = spans
    .filter((span) => (span.kind === 'consumer' || span.kind === 'server') && span.startTimeMs <= sagaEndMs + clockSlackMs && endOf(span) >= sagaEndMs - clockSlackMs)
    .sort((a, b) => b.startTimeMs - a.startTimeMs)[0];
  if (!last) return undefined;
  const chain = [last];
  for (let parent = last.parentSpanId && byId.get(last.parentSpanId); parent; parent = parent.parentSpanId && byId.get(parent.parentSpanId)) chain.push(parent);
  chain.reverse(); // root first

  const time = Object.fromEntries(sagaTimeShares.map((share) => [share, 0])) as SagaTime;
  let longestWait: LongestWait | undefined;
  time['before the first span (client, network, accept)'] = Math.max(0, chain[0]!.startTimeMs - clientStartMs);

  /** Spans inside `span` (started and ended within it), through nested ones: its synchronous work. */
  const within = (span: TraceSpan): TraceSpan[] =>
    (children.get(span.spanId) ?? []).filter((child) => child.startTimeMs >= span.startTimeMs && endOf(child) <= endOf(span) + clockSlackMs).flatMap((child) => [child, ...within(child)]);

  for (const [index, span] of chain.entries()) {
    const next = chain[index + 1];
    // This hop's own stretch of the path: until the next hop starts, if it starts inside this one; the saga's end for the last.
    const until = next === undefined ? sagaEndMs : Math.min(endOf(span), next.startTimeMs);
    const length = Math.max(0, until - span.startTimeMs);
    if (span.service === 'gateway') time['gateway (auth, rate limit, proxy)'] += length;
    else if (span.kind === 'producer') time['publish (until the broker confirms)'] += length;
    else {
      const nested = within(span);
      const sql = nested.filter((child) => child.name.startsWith('pg.'));
      // A statement on its own is a span; a transaction is one span that notes its statements' and BEGIN/COMMIT's time.
      const transactions = sql.filter((child) => child.name.startsWith('pg.transaction')).map((child) => transactionShares(child, span.startTimeMs, until));
      const queries = unionLength(sql.filter((child) => !child.name.startsWith('pg.transaction')).map((child) => [child.startTimeMs, endOf(child)]), span.startTimeMs, until) + sum(transactions.map((t) => t.statementsMs));
      const beginCommit = sum(transactions.map((t) => t.beginCommitMs));
      const calls = unionLength(nested.filter((child) => child.kind === 'client' && !child.name.startsWith('pg.')).map((child) => [child.startTimeMs, endOf(child)]), span.startTimeMs, until);
      time['PostgreSQL queries'] += queries;
      time['PostgreSQL BEGIN and COMMIT'] += beginCommit;
      time['HTTP calls to other services'] += calls;
      time['handler code, pool waits'] += Math.max(0, length - queries - beginCommit - calls);
    }
    if (next === undefined || next.startTimeMs <= endOf(span)) continue;
    // A gap: the next hop started after this one ended. While an enclosing span of this chain still runs (a consumer
    // whose commit follows the work that enqueued), the time is still that handler's.
    let gapStart = endOf(span);
    const enclosingEnd = Math.max(gapStart, ...chain.slice(0, index).filter((outer) => outer.service === span.service && outer.kind !== 'producer').map(endOf));
    const handlerTail = Math.min(next.startTimeMs, enclosingEnd) - gapStart;
    if (handlerTail > 0) {
      time['handler code, pool waits'] += handlerTail;
      gapStart += handlerTail;
    }
    const gap = next.startTimeMs - gapStart;
    if (gap <= 0) continue;
    const share: SagaTimeShare =
      span.kind === 'producer' && next.kind === 'consumer' ? 'broker delivery (publish → consumer)' : next.kind === 'producer' ? 'outbox wait (commit → relay publishes)' : 'other gaps between hops';
    time[share] += gap;
    if (gap > (longestWait?.ms ?? 0)) longestWait = { ms: gap, share, into: `${next.service}: ${next.name}`, at: next.startTimeMs };
  }
  return { time, ...(longestWait ? { longestWait } : {}) };
}

/** The mean of each share over the sagas given. */
export function meanSagaTime(times: readonly SagaTime[]): SagaTime {
  return Object.fromEntries(sagaTimeShares.map((share) => [share, times.reduce((sum, time) => sum + time[share], 0) / Math.max(1, times.length)])) as SagaTime;
}

/** Every span any of `processUrls` kept of the order (GET /admin/traces/{orderId} on each, as an admin). */
export async function fetchOrderSpans(processUrls: readonly string[], orderId: string, authorization: string): Promise<TraceSpan[]> {
  const answers = await Promise.all(
    processUrls.map(async (url) => {
      const response = await fetch(`${url}/admin/traces/${orderId}`, { headers: { authorization }, signal: AbortSignal.timeout(10_000) });
      if (response.status !== 200) throw new Error(`GET ${url}/admin/traces/${orderId} answered ${response.status}`);
      return ((await response.json()) as { spans: TraceSpan[] }).spans;
    }),
  );
  return answers.flat();
}

/** One line per share: mean ms per saga and its part of the whole. */
export function printSagaTime(label: string, time: SagaTime, sagas: number): void {
  const total = sagaTimeShares.reduce((sum, share) => sum + time[share], 0);
  console.log(`  where the time of ${label} sagas goes (mean of ${sagas} traced: ${total.toFixed(1)} ms from the POST to the step measured):`);
  const width = Math.max(...sagaTimeShares.map((share) => share.length));
  for (const share of sagaTimeShares) {
    if (time[share] < 0.05) continue;
    console.log(`    ${share.padEnd(width)}  ${time[share].toFixed(1).padStart(6)} ms  ${((time[share] / total) * 100).toFixed(0).padStart(3)} %`);
  }
}
