// Port: where the order service gets prices at order time (inventory over HTTP, with a last-known fallback).
export type PriceListResult =
  | { ok: true; prices: ReadonlyMap<string, number>; source: 'live' }
  /** Inventory could not answer; these are the last prices it gave, as of fetchedAt. */
  | { ok: true; prices: ReadonlyMap<string, number>; source: 'cache'; fetchedAt: Date }
  | { ok: false; reason: string };

export interface PriceCatalog {
  currentPrices(): Promise<PriceListResult>;
}
