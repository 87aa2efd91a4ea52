// The open-loop schedule: due times fixed by the rate alone, and the mix of modes and kinds exact and evenly spread.
import { arrivalCount, arrivals, DECLINED_CARD, GOOD_CARD, orderRequest, unitsNeeded, type Arrival, type SchedulePlan } from './load-schedule';

const plan = (overrides: Partial<SchedulePlan> = {}): SchedulePlan => ({ ratePerSecond: 50, durationSeconds: 60, mode: 'mixed', declined: 0, outOfStock: 0, ...overrides });
const all = (p: SchedulePlan): Arrival[] => [...arrivals(p)];
const category = (a: Arrival) => `${a.sagaMode} ${a.kind}`;

describe('arrivals', () => {
  test('rate × duration orders, the i-th due at i / rate: the clock alone decides when an order leaves', () => {
    expect(arrivalCount(plan())).toBe(3000);
    expect(arrivalCount(plan({ ratePerSecond: 0.5, durationSeconds: 3 }))).toBe(1);
    expect(arrivalCount(plan({ ratePerSecond: 3.3, durationSeconds: 10 }))).toBe(33);
    const schedule = all(plan({ ratePerSecond: 4, durationSeconds: 2 }));
    expect(schedule.map((a) => [a.index, a.atMs])).toEqual([[0, 0], [1, 250], [2, 500], [3, 750], [4, 1000], [5, 1250], [6, 1500], [7, 1750]]);
  });

  test('the same plan gives the same schedule (nothing random to explain between two runs)', () => {
    const p = plan({ declined: 0.1, outOfStock: 0.05, durationSeconds: 4 });
    expect(all(p)).toEqual(all(p));
  });

  test('mixed, 10 % declined, 5 % out of stock: exact shares, each kind split evenly over both saga modes', () => {
    const schedule = all(plan({ ratePerSecond: 100, durationSeconds: 10, declined: 0.1, outOfStock: 0.05 }));
    const counts = schedule.reduce<Record<string, number>>((all, a) => ({ ...all, [category(a)]: (all[category(a)] ?? 0) + 1 }), {});
    expect(counts).toEqual({
      'orchestration good': 425,
      'choreography good': 425,
      'orchestration declined': 50,
      'choreography declined': 50,
      'orchestration out-of-stock': 25,
      'choreography out-of-stock': 25,
    });
  });

  test('every prefix of the run is within one order of each share (a short run, or one cut short, is still mixed)', () => {
    const shares: Record<string, number> = {
      'orchestration good': 0.3,
      'choreography good': 0.3,
      'orchestration declined': 0.15,
      'choreography declined': 0.15,
      'orchestration out-of-stock': 0.05,
      'choreography out-of-stock': 0.05,
    };
    const seen: Record<string, number> = {};
    all(plan({ ratePerSecond: 10, durationSeconds: 50, declined: 0.3, outOfStock: 0.1 })).forEach((a, i) => {
      seen[category(a)] = (seen[category(a)] ?? 0) + 1;
      for (const [name, share] of Object.entries(shares)) expect(Math.abs((seen[name] ?? 0) - (i + 1) * share)).toBeLessThanOrEqual(1);
    });
  });

  test('half declined in mixed mode: both modes get declined orders (a plain alternation would give them all to one)', () => {
    const declined = all(plan({ ratePerSecond: 10, durationSeconds: 10, declined: 0.5 })).filter((a) => a.kind === 'declined');
    expect(declined.filter((a) => a.sagaMode === 'orchestration')).toHaveLength(25);
    expect(declined.filter((a) => a.sagaMode === 'choreography')).toHaveLength(25);
  });

  test('one mode: every order in it', () => {
    expect(new Set(all(plan({ mode: 'choreography', durationSeconds: 2, declined: 0.2 })).map((a) => a.sagaMode))).toEqual(new Set(['choreography']));
  });

  test('only declined orders (100 %): no good ones', () => {
    expect(new Set(all(plan({ durationSeconds: 1, declined: 1 })).map((a) => a.kind))).toEqual(new Set(['declined']));
  });
});

describe('orderRequest', () => {
  const stock = { plentiful: ['SKU-APPLE', 'SKU-TEA'], scarce: { sku: 'SKU-RARE', quantity: 2 } };
  const arrival = (index: number, kind: Arrival['kind']): Arrival => ({ index, atMs: 0, sagaMode: 'orchestration', kind });

  test('a good order: one unit of the plentiful products in turn, the card that succeeds', () => {
    expect([orderRequest(arrival(0, 'good'), stock), orderRequest(arrival(1, 'good'), stock), orderRequest(arrival(2, 'good'), stock)]).toEqual([
      { items: [{ sku: 'SKU-APPLE', quantity: 1 }], sagaMode: 'orchestration', paymentToken: GOOD_CARD },
      { items: [{ sku: 'SKU-TEA', quantity: 1 }], sagaMode: 'orchestration', paymentToken: GOOD_CARD },
      { items: [{ sku: 'SKU-APPLE', quantity: 1 }], sagaMode: 'orchestration', paymentToken: GOOD_CARD },
    ]);
  });

  test("a declined order reserves like a good one and pays with the provider's declining card", () => {
    expect(orderRequest(arrival(1, 'declined'), stock)).toEqual({ items: [{ sku: 'SKU-TEA', quantity: 1 }], sagaMode: 'orchestration', paymentToken: DECLINED_CARD });
  });

  test('an out-of-stock order asks for more than the scarce product holds', () => {
    expect(orderRequest(arrival(5, 'out-of-stock'), stock).items).toEqual([{ sku: 'SKU-RARE', quantity: 2 }]);
  });

  test('units needed per plentiful product: the orders spread over the products, rounded up', () => {
    expect(unitsNeeded(plan({ ratePerSecond: 50, durationSeconds: 60 }), ['A', 'B', 'C', 'D'])).toBe(750);
    expect(unitsNeeded(plan({ ratePerSecond: 10, durationSeconds: 1, outOfStock: 0.5 }), ['A', 'B', 'C'])).toBe(4);
  });
});
