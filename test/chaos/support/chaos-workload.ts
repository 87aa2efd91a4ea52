// The chaos workload: a paced stream of mixed orders (both saga modes, some declined cards, some for scarce stock)
// placed on the order service while a fault is injected and healed, remembering what the clients were told.
import { placeOrder, type PlaceOrderRequest, type PlacedOrder } from '../../e2e/support/order-client';

export interface WorkloadOptions {
  orders: number;
  /** Orders started per second (each POST is not awaited before the next starts). */
  ratePerSecond: number;
  /** Customers the orders are spread over; at the end every one's orders are listed, so none can hide. */
  customers: string[];
  /** A client whose POST fails (no answer, 5xx) retries with the same Idempotency-Key this long. Default 45 s. */
  retryForMs?: number;
}

export interface WorkloadResult {
  requests: PlaceOrderRequest[];
  /** 202s: orders the clients know about. */
  accepted: PlacedOrder[];
  /** Anything else: status (or network error) → count. The order may or may not exist; the invariants find out. */
  refused: Record<string, number>;
}

const catalog = [
  { sku: 'SKU-APPLE', max: 3 },
  { sku: 'SKU-BREAD', max: 2 },
  { sku: 'SKU-TEA', max: 2 },
  { sku: 'SKU-COFFEE', max: 2 },
];

/** The i-th order: mostly one or two plentiful skus; every 12th asks for 6 cheeses (50 in stock) so stock runs out. */
export function orderRequest(i: number, customers: string[]): PlaceOrderRequest {
  const first = catalog[i % catalog.length]!;
  const items = [{ sku: first.sku, quantity: 1 + (i % first.max) }];
  if (i % 5 === 0) items.push({ sku: catalog[(i + 1) % catalog.length]!.sku, quantity: 1 });
  if (i % 12 === 0) items.push({ sku: 'SKU-CHEESE', quantity: 6 });
  return {
    customerId: customers[i % customers.length]!,
    items,
    sagaMode: i % 2 === 0 ? 'orchestration' : 'choreography',
    paymentToken: i % 9 === 4 ? 'tok_chargeDeclined' : 'tok_visa',
    // A client that retries after a lost answer would resend the same key; these clients do not retry, but the
    // key makes a retried POST (by the platform's own caller, e.g. a gateway retry) harmless.
    idempotencyKey: `chaos-${i}-${customers[i % customers.length]}`,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What a careful client does: retry a POST that got no answer or a 5xx, with the same Idempotency-Key (so a first
 * attempt that did commit is answered, not placed twice), backing off up to 2 s, for `retryForMs`.
 */
async function placeWithRetries(orderUrl: () => string, request: PlaceOrderRequest, retryForMs: number): Promise<{ kind: 'accepted'; order: PlacedOrder } | { kind: 'refused'; reason: string }> {
  const giveUpAt = Date.now() + retryForMs;
  for (let attempt = 0; ; attempt += 1) {
    let reason: string;
    try {
      const answer = await placeOrder(orderUrl(), request);
      if (answer.status === 202) return { kind: 'accepted', order: answer.body as PlacedOrder };
      reason = String(answer.status);
      if (answer.status < 500) return { kind: 'refused', reason };
    } catch (error) {
      reason = error instanceof Error ? ((error.cause instanceof Error ? error.cause.message : error.message).split(' ')[0] ?? 'error') : 'error';
    }
    if (Date.now() > giveUpAt) return { kind: 'refused', reason };
    await sleep(Math.min(2_000, 100 * 2 ** attempt));
  }
}

/**
 * Places `orders` orders at `ratePerSecond`; `onProgress(started)` is called as each one starts, so a scenario can
 * inject its fault a third of the way in and heal it at two thirds while orders keep coming.
 */
export async function runWorkload(orderUrl: () => string, options: WorkloadOptions, onProgress: (started: number) => void): Promise<WorkloadResult> {
  const requests = Array.from({ length: options.orders }, (_, i) => orderRequest(i, options.customers));
  const accepted: PlacedOrder[] = [];
  const refused: Record<string, number> = {};
  const inFlight: Promise<void>[] = [];
  const started = Date.now();
  for (let i = 0; i < requests.length; i += 1) {
    const due = started + (i * 1000) / options.ratePerSecond;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    onProgress(i);
    inFlight.push(
      placeWithRetries(orderUrl, requests[i]!, options.retryForMs ?? 45_000).then((outcome) => {
        if (outcome.kind === 'accepted') accepted.push(outcome.order);
        else refused[outcome.reason] = (refused[outcome.reason] ?? 0) + 1;
      }),
    );
  }
  onProgress(requests.length);
  await Promise.all(inFlight);
  return { requests, accepted, refused };
}
