// What a load run counts and how it is printed: outcomes per saga mode, HDR histograms of POST → final state, the
// live progress line and the closing report. No I/O: the runner feeds it and writes the strings it returns.
import { build, type Histogram } from 'hdr-histogram-js';
import type { SagaMode } from '@saga/contracts';

/** Latencies are recorded in microseconds (3 significant digits) and printed in milliseconds. */
const newHistogram = (): Histogram => build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
const micros = (ms: number) => Math.max(1, Math.round(ms * 1000));

export type Verdict = { name: string; state: 'ok' | 'failed' | 'not checked'; summary: string; problems?: string[] };

export class LoadStats {
  sent = 0;
  placed = 0;
  approved = 0;
  cancelled = 0;
  refused = 0;
  stuck = 0;
  /** How late the generator sent an order after it was due (its own lateness, counted in the latency anyway). */
  maxLagMs = 0;
  readonly toFinal: Record<SagaMode | 'all', Histogram> = { all: newHistogram(), orchestration: newHistogram(), choreography: newHistogram() };
  /** POST sent → the gateway's 202. */
  readonly toAccepted = newHistogram();
  /** outcome → saga mode → count; outcomes in the order first seen. */
  readonly outcomes = new Map<string, Map<SagaMode, number>>();

  constructor(readonly scheduled: number) {}

  /** Sent and not yet final: awaiting the 202, or accepted and in their saga. */
  get inFlight(): number {
    return this.sent - this.refused - this.approved - this.cancelled - this.stuck;
  }

  recordSent(lagMs: number): void {
    this.sent += 1;
    this.maxLagMs = Math.max(this.maxLagMs, lagMs);
  }

  recordPlaced(postMs: number): void {
    this.placed += 1;
    this.toAccepted.recordValue(micros(postMs));
  }

  recordRefused(mode: SagaMode, reason: string): void {
    this.refused += 1;
    this.count(`refused ${reason}`, mode);
  }

  /** An order reached APPROVED or CANCELLED `latencyMs` after it was due. */
  recordFinal(mode: SagaMode, status: 'APPROVED' | 'CANCELLED', reason: string | undefined, latencyMs: number): void {
    if (status === 'APPROVED') this.approved += 1;
    else this.cancelled += 1;
    this.toFinal.all.recordValue(micros(latencyMs));
    this.toFinal[mode].recordValue(micros(latencyMs));
    this.count(status === 'APPROVED' ? 'APPROVED' : `CANCELLED ${reason ?? '(no reason)'}`, mode);
  }

  /** Still PENDING at the end: stuck when the drain ran out, merely unfinished when the run was interrupted. */
  recordPending(mode: SagaMode, interrupted: boolean): void {
    if (!interrupted) this.stuck += 1;
    this.count(interrupted ? 'still PENDING (interrupted)' : 'still PENDING after the drain', mode);
  }

  private count(outcome: string, mode: SagaMode): void {
    const row = this.outcomes.get(outcome) ?? new Map<SagaMode, number>();
    row.set(mode, (row.get(mode) ?? 0) + 1);
    this.outcomes.set(outcome, row);
  }
}

/** A percentile in ms: one decimal below 100 ms, whole milliseconds above. */
function ms(h: Histogram, percentile: number): string {
  if (h.totalCount === 0) return '–';
  const value = h.getValueAtPercentile(percentile) / 1000;
  return `${value.toFixed(value < 100 ? 1 : 0)} ms`;
}

/** One line, redrawn in place on a terminal. */
export function progressLine(stats: LoadStats, elapsedMs: number): string {
  return (
    `[load ${(elapsedMs / 1000).toFixed(0).padStart(3)} s] placed ${stats.sent}/${stats.scheduled}  approved ${stats.approved}  cancelled ${stats.cancelled}  ` +
    `in flight ${stats.inFlight}  refused ${stats.refused}  p50 ${ms(stats.toFinal.all, 50)}  p99 ${ms(stats.toFinal.all, 99)}`
  );
}

/** Outcomes (APPROVED, CANCELLED <reason>, refused <status>, still PENDING) by saga mode, with totals. */
export function outcomeTable(stats: LoadStats, modes: readonly SagaMode[]): string[] {
  const rows = [...stats.outcomes.entries()].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  const width = Math.max('outcome'.length, ...rows.map(([outcome]) => outcome.length)) + 2;
  const cell = (value: string | number, name: string) => String(value).padStart(Math.max(name.length, 6) + 2);
  const line = (label: string, values: (string | number)[], total: string | number) => label.padEnd(width) + values.map((v, i) => cell(v, modes[i]!)).join('') + cell(total, 'total');
  const sum = (row: Map<SagaMode, number>) => [...row.values()].reduce((a, b) => a + b, 0);
  return [
    line('outcome', [...modes], 'total'),
    ...rows.map(([outcome, row]) => line(outcome, modes.map((mode) => row.get(mode) ?? 0), sum(row))),
    line('all orders', modes.map((mode) => rows.reduce((n, [, row]) => n + (row.get(mode) ?? 0), 0)), rows.reduce((n, [, row]) => n + sum(row), 0)),
  ];
}

const rank = (outcome: string) => (outcome === 'APPROVED' ? 0 : outcome.startsWith('CANCELLED') ? 1 : outcome.startsWith('refused') ? 2 : 3);

/** p50/p90/p99/max of POST → final state per mode, POST → 202, and the generator's own lateness. */
export function latencyLines(stats: LoadStats, modes: readonly SagaMode[]): string[] {
  const line = (label: string, h: Histogram) =>
    `  ${label.padEnd(28)} n ${String(h.totalCount).padStart(6)}  p50 ${ms(h, 50).padStart(9)}  p90 ${ms(h, 90).padStart(9)}  p99 ${ms(h, 99).padStart(9)}  max ${ms(h, 100).padStart(9)}`;
  return [
    ...(modes.length > 1 ? [line('POST → final, all', stats.toFinal.all)] : []),
    ...modes.map((mode) => line(`POST → final, ${mode}`, stats.toFinal[mode])),
    line('POST → 202', stats.toAccepted),
    `  generator lateness (max)     ${stats.maxLagMs.toFixed(1)} ms${stats.maxLagMs > 100 ? '  (the generator itself fell behind: its CPU is shared with the platform)' : ''}`,
  ];
}

/** The HDR percentile distribution of POST → final state (all modes), values in milliseconds. */
export function histogramText(stats: LoadStats): string {
  if (stats.toFinal.all.totalCount === 0) return '  (no order reached a final state)';
  return stats.toFinal.all.outputPercentileDistribution(1, 1000).trimEnd();
}

/** A warning when the gateway's per-user limit (RATE_LIMIT_MAX per window, from RateLimit-Policy) is below the run's rate. */
export function rateLimitWarning(ratePerSecond: number, customers: number, limit: { requests: number; windowSeconds: number } | undefined): string | undefined {
  if (!limit) return undefined;
  const perUser = ratePerSecond / customers;
  if (perUser <= (limit.requests / limit.windowSeconds) * 0.8) return undefined;
  return (
    `warning: the gateway allows each user ${limit.requests} requests per ${limit.windowSeconds} s and this run asks ${perUser.toFixed(1)}/s of each of ${customers}: ` +
    'expect 429s (counted as refused). Raise RATE_LIMIT_MAX on the gateway for load runs (RATE_LIMIT_MAX=1000000 npm start).'
  );
}

export function verdictLines(verdicts: readonly Verdict[]): string[] {
  const mark = { ok: '✓', failed: '✗', 'not checked': '–' } as const;
  return verdicts.flatMap((v) => [`  ${mark[v.state]} ${v.name}: ${v.summary}`, ...(v.problems ?? []).slice(0, 10).map((p) => `      ${p}`), ...((v.problems?.length ?? 0) > 10 ? [`      … and ${v.problems!.length - 10} more`] : [])]);
}

export interface ReportInput {
  run: string;
  stats: LoadStats;
  modes: readonly SagaMode[];
  verdicts: readonly Verdict[];
  interrupted: boolean;
  /** First arrival → every order final, or the drain's end. */
  wallSeconds: number;
}

/** The closing report: outcomes, latencies, the histogram, the invariants and one summary line. */
export function finalReport(r: ReportInput): string[] {
  const failed = r.verdicts.filter((v) => v.state === 'failed').map((v) => v.name);
  const { stats } = r;
  const verdict = r.interrupted ? 'interrupted: invariants not checked' : failed.length > 0 ? `FAILED: ${failed.join(', ')}` : 'every invariant holds';
  return [
    '',
    `outcomes (${stats.sent} of ${stats.scheduled} orders sent, ${stats.placed} accepted):`,
    ...outcomeTable(stats, r.modes).map((line) => `  ${line}`),
    '',
    'latency, from when each order was due (open loop: time queued counts):',
    ...latencyLines(stats, r.modes),
    '',
    'HDR histogram of POST → final state, all modes (ms):',
    ...histogramText(stats).split('\n'),
    '',
    r.interrupted ? 'invariants: not checked (interrupted)' : 'invariants:',
    ...verdictLines(r.verdicts),
    '',
    `load ${r.run}: ${stats.approved} approved, ${stats.cancelled} cancelled, ${stats.refused} refused, ${stats.stuck} stuck, in ${r.wallSeconds.toFixed(1)} s; ${verdict}`,
  ];
}
