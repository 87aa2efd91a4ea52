// The step diagram's model: history entries onto T1…T4 / C1…C4, with each step's state, offsets and durations.
import { COMPENSATIONS, FORWARD, historyRows, stepCells } from './saga-steps';

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
const history = [
  { step: 'CREATE_ORDER', status: 'SUCCEEDED', at: at(0) },
  { step: 'RESERVE_STOCK', status: 'STARTED', at: at(0) },
  { step: 'RESERVE_STOCK', status: 'SUCCEEDED', at: at(12) },
  { step: 'CHARGE_PAYMENT', status: 'STARTED', at: at(12) },
  { step: 'CHARGE_PAYMENT', status: 'FAILED', at: at(40), detail: 'PROVIDER_UNAVAILABLE' },
  { step: 'RELEASE_STOCK', status: 'STARTED', at: at(40) },
];

describe('saga steps', () => {
  it('gives each forward step and compensation its latest state and duration', () => {
    const forward = stepCells(history, FORWARD);
    expect(forward.map((cell) => [cell.code, cell.state])).toEqual([['T1', 'done'], ['T2', 'done'], ['T3', 'failed'], ['T4', 'idle']]);
    expect(forward[2]).toMatchObject({ durationMs: 28, startedAtMs: 12, entries: 2 });
    const compensations = stepCells(history, COMPENSATIONS);
    expect(compensations.find((cell) => cell.code === 'C2')).toMatchObject({ state: 'running', startedAtMs: 40 });
    expect(compensations.find((cell) => cell.code === 'C1')?.state).toBe('idle');
  });

  it('lists the history in order with the offset from the first entry and the time since the step last moved', () => {
    const rows = historyRows(history);
    expect(rows.map((row) => `${row.code} ${row.status} +${row.offsetMs}${row.tookMs === undefined ? '' : ` (${row.tookMs})`}`)).toEqual([
      'T1 SUCCEEDED +0',
      'T2 STARTED +0',
      'T2 SUCCEEDED +12 (12)',
      'T3 STARTED +12',
      'T3 FAILED +40 (28)',
      'C2 STARTED +40',
    ]);
  });
});
