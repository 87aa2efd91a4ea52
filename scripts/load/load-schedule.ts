// The open-loop schedule, pure: when each order is due and what it is, fixed in advance by the rate alone, so a slow
// platform makes a queue (and long latencies) instead of slowing the arrivals (no coordinated omission).
import { sagaModes, type SagaMode } from '@saga/contracts';
import type { LoadMode } from './load-args';

export type OrderKind = 'good' | 'declined' | 'out-of-stock';

export interface SchedulePlan {
  ratePerSecond: number;
  durationSeconds: number;
  mode: LoadMode;
  /** Shares of all orders, 0…1. */
  declined: number;
  outOfStock: number;
}

export interface Arrival {
  index: number;
  /** When the order is due, from the run's start. Latency is counted from here, not from when it was sent. */
  atMs: number;
  sagaMode: SagaMode;
  kind: OrderKind;
}

/** What the orders ask for: one unit of a plentiful product in turn, or more than the scarce one holds. */
export interface StockPlan {
  plentiful: readonly string[];
  scarce: { sku: string; quantity: number };
}

export interface OrderRequest {
  items: { sku: string; quantity: number }[];
  sagaMode: SagaMode;
  paymentToken: string;
}

/** The provider's test cards (services/payment-provider/README.md): one that succeeds, one that is declined. */
export const GOOD_CARD = 'tok_visa';
export const DECLINED_CARD = 'tok_chargeDeclined';

export const arrivalCount = (plan: SchedulePlan): number => Math.floor(plan.ratePerSecond * plan.durationSeconds + 1e-9);

/**
 * Every (saga mode, kind) pair as a category with its share, interleaved by smooth weighted round robin: each prefix
 * of the run holds each category within one order of its share, and kinds spread evenly over both modes (a plain
 * alternation of modes with 50 % declined would put every declined order in one mode).
 */
export function* arrivals(plan: SchedulePlan): Generator<Arrival> {
  const modes: readonly SagaMode[] = plan.mode === 'mixed' ? sagaModes : [plan.mode];
  const kinds: [OrderKind, number][] = [
    ['good', 1 - plan.declined - plan.outOfStock],
    ['declined', plan.declined],
    ['out-of-stock', plan.outOfStock],
  ];
  const categories = modes.flatMap((sagaMode) => kinds.filter(([, share]) => share > 0).map(([kind, share]) => ({ sagaMode, kind, weight: share / modes.length, current: 0 })));
  const count = arrivalCount(plan);
  for (let index = 0; index < count; index += 1) {
    let pick = categories[0]!;
    for (const category of categories) {
      category.current += category.weight;
      if (category.current > pick.current) pick = category;
    }
    pick.current -= 1;
    yield { index, atMs: (index * 1000) / plan.ratePerSecond, sagaMode: pick.sagaMode, kind: pick.kind };
  }
}

/** The body of POST /api/orders for an arrival. */
export function orderRequest(arrival: Arrival, stock: StockPlan): OrderRequest {
  const items = arrival.kind === 'out-of-stock' ? [{ ...stock.scarce }] : [{ sku: stock.plentiful[arrival.index % stock.plentiful.length]!, quantity: 1 }];
  return { items, sagaMode: arrival.sagaMode, paymentToken: arrival.kind === 'declined' ? DECLINED_CARD : GOOD_CARD };
}

/**
 * Units each plentiful product must hold so that no good or declined order of the run finds the shelf empty: the
 * products take turns by arrival index, so none is asked for more than count / products (rounded up).
 */
export function unitsNeeded(plan: SchedulePlan, plentiful: readonly string[]): number {
  return Math.ceil(arrivalCount(plan) / Math.max(1, plentiful.length));
}
