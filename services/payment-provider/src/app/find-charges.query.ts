// Reading the books: one charge, the charge a key made, every charge of an order, or the latest ones.
import type { Charge } from '../domain/provider-objects';
import { findCharge, findChargeByKey, listChargesByOrder, listRecentCharges } from '../store/charge.repository';
import type { ProviderBooks } from './provider-books';

export interface ChargeFilter {
  idempotencyKey?: string | undefined;
  orderId?: string | undefined;
  /** For the unfiltered list only: a key or an order names every charge it has. */
  limit: number;
}

export const getCharge = (books: ProviderBooks, id: string): Promise<Charge | undefined> => findCharge(books.db, id);

/** Newest first. Both filters given: the key's charge, if it belongs to that order. */
export async function findCharges(books: ProviderBooks, filter: ChargeFilter): Promise<Charge[]> {
  if (filter.idempotencyKey !== undefined) {
    const charge = await findChargeByKey(books.db, filter.idempotencyKey);
    return charge && (filter.orderId === undefined || charge.metadata.order_id === filter.orderId) ? [charge] : [];
  }
  if (filter.orderId !== undefined) return listChargesByOrder(books.db, filter.orderId);
  return listRecentCharges(books.db, filter.limit);
}
