// Prices from inventory's GET /products through a circuit breaker; when inventory is down, the last list it gave us.
import type { SqlClient } from '@saga/db';
import type { FaultInjector } from '@saga/faults';
import { createBreaker, type Breaker, type BreakerState, type BreakerStats } from '@saga/resilience';
import { z } from 'zod';
import type { PriceCatalog, PriceListResult } from '../app/price-catalog.port';

const productsResponse = z.object({ items: z.array(z.object({ sku: z.string(), priceCents: z.number().int().nonnegative() })) });

export interface HttpPriceCatalogOptions {
  /** Resolved per call, so a discovery-backed address (Consul) can change between calls. */
  inventoryUrl: () => string | Promise<string>;
  db: SqlClient;
  timeoutMs?: number;
  onStateChange?: (state: BreakerState) => void;
  /** The process's injector (createOrderFaults): its `http:inventory` rules run before each call. */
  faults?: FaultInjector;
}

export class HttpPriceCatalog implements PriceCatalog {
  private readonly breaker: Breaker<void, Map<string, number>>;
  private lastKnown?: { prices: Map<string, number>; fetchedAt: Date };

  constructor(private readonly options: HttpPriceCatalogOptions) {
    this.breaker = createBreaker(async (_input: void, signal: AbortSignal) => {
      // Inside the breaker: an injected error or timeout is an inventory failure like any other (it counts towards
      // opening the breaker and falls back to cached prices), and the breaker's signal ends a `timeout` hold when it gives up.
      await options.faults?.beforeOperation('http:inventory', signal);
      const response = await fetch(`${await options.inventoryUrl()}/products`, { signal });
      if (!response.ok) throw new Error(`inventory answered ${response.status}`);
      const body = productsResponse.parse(await response.json());
      return new Map(body.items.map((item) => [item.sku, item.priceCents]));
    }, {
      name: 'inventory',
      timeoutMs: options.timeoutMs ?? 1_500,
      ...(options.onStateChange ? { onStateChange: options.onStateChange } : {}),
    });
  }

  async currentPrices(): Promise<PriceListResult> {
    try {
      const prices = await this.breaker.fire();
      const fetchedAt = new Date();
      // Written only when prices changed (or at start): an upsert of one row per order would serialise every order on it.
      const changed = !this.lastKnown || !samePrices(this.lastKnown.prices, prices);
      this.lastKnown = { prices, fetchedAt };
      if (changed) await this.persist(prices, fetchedAt);
      return { ok: true, prices, source: 'live' };
    } catch (error) {
      // Open breaker, timeout or error: fall back to the last list, kept in the database so a restart keeps it too.
      const fallback = this.lastKnown ?? (await this.loadPersisted());
      if (fallback) return { ok: true, prices: fallback.prices, source: 'cache', fetchedAt: fallback.fetchedAt };
      return { ok: false, reason: `inventory is unavailable and no price list is known yet (${(error as Error).message})` };
    }
  }

  /** The breaker towards inventory, as GET /admin/breakers shows it. */
  breakerStats(): BreakerStats {
    return this.breaker.stats();
  }

  shutdown(): void {
    this.breaker.shutdown();
  }

  private async persist(prices: Map<string, number>, fetchedAt: Date): Promise<void> {
    await this.options.db.query(
      `INSERT INTO price_list_cache (id, prices, fetched_at) VALUES (1, $1::jsonb, $2)
       ON CONFLICT (id) DO UPDATE SET prices = EXCLUDED.prices, fetched_at = EXCLUDED.fetched_at`,
      [JSON.stringify(Object.fromEntries(prices)), fetchedAt],
    );
  }

  private async loadPersisted(): Promise<{ prices: Map<string, number>; fetchedAt: Date } | undefined> {
    const { rows } = await this.options.db.query<{ prices: Record<string, number>; fetched_at: Date }>('SELECT prices, fetched_at FROM price_list_cache WHERE id = 1');
    const row = rows[0];
    if (!row) return undefined;
    this.lastKnown = { prices: new Map(Object.entries(row.prices)), fetchedAt: row.fetched_at };
    return this.lastKnown;
  }
}

function samePrices(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  return a.size === b.size && [...a].every(([sku, price]) => b.get(sku) === price);
}
