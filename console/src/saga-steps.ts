// The step diagram's model: the saga's history mapped onto T1…T4 and C1…C4, each with its latest state and timings.
import type { HistoryEntry } from './types';

export interface StepDef {
  code: string;
  step: string;
  label: string;
}

/** Forward steps on the top row, each compensation under the step it undoes (DESIGN.md §1). */
export const FORWARD: StepDef[] = [
  { code: 'T1', step: 'CREATE_ORDER', label: 'create order' },
  { code: 'T2', step: 'RESERVE_STOCK', label: 'reserve stock' },
  { code: 'T3', step: 'CHARGE_PAYMENT', label: 'charge' },
  { code: 'T4', step: 'NOTIFY_CONFIRMED', label: 'confirm' },
];
export const COMPENSATIONS: StepDef[] = [
  { code: 'C1', step: 'CANCEL_ORDER', label: 'cancel order' },
  { code: 'C2', step: 'RELEASE_STOCK', label: 'release stock' },
  { code: 'C3', step: 'REFUND_PAYMENT', label: 'refund' },
  { code: 'C4', step: 'NOTIFY_CANCELLED', label: 'cancellation notice' },
];
const ALL = [...FORWARD, ...COMPENSATIONS];

export const codeOf = (step: string): string => ALL.find((def) => def.step === step)?.code ?? '·';

export type CellState = 'idle' | 'running' | 'done' | 'failed' | 'timed-out';

export interface StepCell extends StepDef {
  state: CellState;
  /** From the step's first entry to its last, when it has both. */
  durationMs?: number;
  /** Since the saga's first entry. */
  startedAtMs?: number;
  entries: number;
}

const stateOf = (status: string): CellState => {
  if (status === 'SUCCEEDED' || status === 'LATE_REPLY') return 'done';
  if (status === 'FAILED') return 'failed';
  if (status === 'TIMED_OUT') return 'timed-out';
  return 'running';
};

export function stepCells(history: HistoryEntry[], defs: StepDef[]): StepCell[] {
  const origin = history[0] ? Date.parse(history[0].at) : 0;
  return defs.map((def) => {
    const entries = history.filter((entry) => entry.step === def.step);
    const first = entries[0];
    const last = entries.at(-1);
    if (!first || !last) return { ...def, state: 'idle', entries: 0 };
    const durationMs = Date.parse(last.at) - Date.parse(first.at);
    return { ...def, state: stateOf(last.status), startedAtMs: Date.parse(first.at) - origin, ...(entries.length > 1 ? { durationMs } : {}), entries: entries.length };
  });
}

export interface HistoryRow extends HistoryEntry {
  code: string;
  /** Since the saga's first entry. */
  offsetMs: number;
  /** Since this step's previous entry (e.g. STARTED → SUCCEEDED). */
  tookMs?: number;
}

export function historyRows(history: HistoryEntry[]): HistoryRow[] {
  const origin = history[0] ? Date.parse(history[0].at) : 0;
  const lastOfStep = new Map<string, number>();
  return history.map((entry) => {
    const at = Date.parse(entry.at);
    const previous = lastOfStep.get(entry.step);
    lastOfStep.set(entry.step, at);
    return { ...entry, code: codeOf(entry.step), offsetMs: at - origin, ...(previous === undefined ? {} : { tookMs: at - previous }) };
  });
}
