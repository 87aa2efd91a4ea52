// What a load run counts and prints: the progress line, the outcome table, latencies, the HDR histogram, the verdicts.
import { finalReport, histogramText, latencyLines, LoadStats, outcomeTable, progressLine, rateLimitWarning, verdictLines, type Verdict } from './load-report';

/** 100 orders: 80 approved (1…80 ms after they were due), 15 declined, 5 refused by the rate limit. */
function sampleStats(): LoadStats {
  const stats = new LoadStats(120);
  for (let i = 1; i <= 100; i += 1) stats.recordSent(i === 50 ? 12 : 0.5);
  for (let i = 1; i <= 95; i += 1) stats.recordPlaced(2);
  for (let i = 1; i <= 80; i += 1) stats.recordFinal(i % 2 === 0 ? 'orchestration' : 'choreography', 'APPROVED', undefined, i);
  for (let i = 1; i <= 15; i += 1) stats.recordFinal('orchestration', 'CANCELLED', 'PAYMENT_DECLINED', 200);
  for (let i = 1; i <= 5; i += 1) stats.recordRefused('choreography', '429 RATE_LIMITED');
  return stats;
}

describe('LoadStats', () => {
  test('counts what was sent, accepted, final and refused; in flight is what was sent and has not ended', () => {
    const stats = new LoadStats(10);
    [0, 1, 2, 3].forEach(() => stats.recordSent(0));
    stats.recordPlaced(5);
    stats.recordPlaced(5);
    stats.recordRefused('orchestration', '503 UPSTREAM_UNAVAILABLE');
    stats.recordFinal('choreography', 'CANCELLED', 'OUT_OF_STOCK', 40);
    expect({ sent: stats.sent, placed: stats.placed, refused: stats.refused, cancelled: stats.cancelled, inFlight: stats.inFlight }).toEqual({ sent: 4, placed: 2, refused: 1, cancelled: 1, inFlight: 2 });
    stats.recordPending('orchestration', true);
    expect({ stuck: stats.stuck, inFlight: stats.inFlight }).toEqual({ stuck: 0, inFlight: 2 });
    stats.recordPending('orchestration', false);
    expect({ stuck: stats.stuck, inFlight: stats.inFlight }).toEqual({ stuck: 1, inFlight: 1 });
    expect([...stats.outcomes.keys()]).toEqual(['refused 503 UPSTREAM_UNAVAILABLE', 'CANCELLED OUT_OF_STOCK', 'still PENDING (interrupted)', 'still PENDING after the drain']);
    expect(stats.maxLagMs).toBe(0);
  });
});

describe('the progress line', () => {
  test('placed of scheduled, approved, cancelled, in flight, refused, p50 and p99 of POST → final', () => {
    expect(progressLine(sampleStats(), 12_300)).toBe('[load  12 s] placed 100/120  approved 80  cancelled 15  in flight 0  refused 5  p50 48.0 ms  p99 200 ms');
  });

  test('before any order ended: no percentile yet', () => {
    expect(progressLine(new LoadStats(5), 0)).toBe('[load   0 s] placed 0/5  approved 0  cancelled 0  in flight 0  refused 0  p50 –  p99 –');
  });
});

describe('the closing report', () => {
  test('outcomes by saga mode: APPROVED first, then cancellations by reason, then refusals, with totals', () => {
    expect(outcomeTable(sampleStats(), ['orchestration', 'choreography'])).toEqual([
      'outcome                       orchestration  choreography   total',
      'APPROVED                                 40            40      80',
      'CANCELLED PAYMENT_DECLINED               15             0      15',
      'refused 429 RATE_LIMITED                  0             5       5',
      'all orders                               55            45     100',
    ]);
  });

  test('latencies per mode from the HDR histograms, POST → 202, and how late the generator itself was', () => {
    const lines = latencyLines(sampleStats(), ['orchestration', 'choreography']);
    expect(lines[0]).toMatch(/^ {2}POST → final, all +n +95 +p50 +48\.0 ms +p90 +200 ms +p99 +200 ms +max +200 ms$/);
    expect(lines[1]).toMatch(/POST → final, orchestration +n +55 +p50 +56\.0 ms/);
    expect(lines[2]).toMatch(/POST → final, choreography +n +40 +p50 +39\.0 ms .* max +79\.0 ms$/);
    expect(lines[3]).toMatch(/POST → 202 +n +95 +p50 +2\.0 ms/);
    expect(lines[4]).toBe('  generator lateness (max)     12.0 ms');
  });

  test('the HDR percentile distribution in milliseconds, or a note when nothing ended', () => {
    const text = histogramText(sampleStats());
    expect(text).toMatch(/^ +Value +Percentile +TotalCount 1\/\(1-Percentile\)/);
    expect(text).toMatch(/^ +200\.\d+ 1\.000000000000 +95$/m);
    expect(text).toMatch(/Total count +=\s+95/);
    expect(histogramText(new LoadStats(1))).toBe('  (no order reached a final state)');
  });

  test('verdicts: one line each, with at most ten of their problems', () => {
    const verdicts: Verdict[] = [
      { name: 'stock', state: 'ok', summary: 'fine' },
      { name: 'money', state: 'failed', summary: '12 out of balance', problems: Array.from({ length: 12 }, (_, i) => `order ${i}`) },
      { name: 'books', state: 'not checked', summary: 'not exposed' },
    ];
    const lines = verdictLines(verdicts);
    expect(lines.slice(0, 3)).toEqual(['  ✓ stock: fine', '  ✗ money: 12 out of balance', '      order 0']);
    expect(lines.slice(-3)).toEqual(['      order 9', '      … and 2 more', '  – books: not exposed']);
  });

  test('the last line says whether every invariant holds, and which failed', () => {
    const base = { run: 'abc', stats: sampleStats(), modes: ['orchestration', 'choreography'] as const, interrupted: false, wallSeconds: 11.26 };
    expect(finalReport({ ...base, verdicts: [{ name: 'stock', state: 'ok', summary: '' }] }).at(-1)).toBe('load abc: 80 approved, 15 cancelled, 5 refused, 0 stuck, in 11.3 s; every invariant holds');
    expect(finalReport({ ...base, verdicts: [{ name: 'stock', state: 'failed', summary: '' }, { name: 'notifications', state: 'failed', summary: '' }] }).at(-1)).toMatch(/; FAILED: stock, notifications$/);
    expect(finalReport({ ...base, interrupted: true, verdicts: [] })).toContain('invariants: not checked (interrupted)');
  });
});

describe('the rate-limit warning', () => {
  test("silent when the gateway's per-user limit covers the rate, or when it sends no RateLimit-Policy", () => {
    expect(rateLimitWarning(10, 2, { requests: 100, windowSeconds: 10 })).toBeUndefined();
    expect(rateLimitWarning(50, 2, undefined)).toBeUndefined();
  });

  test('names the limit, the rate per user, and what to change', () => {
    expect(rateLimitWarning(50, 2, { requests: 100, windowSeconds: 10 })).toMatch(/allows each user 100 requests per 10 s and this run asks 25\.0\/s of each of 2: expect 429s .*RATE_LIMIT_MAX/);
  });
});
