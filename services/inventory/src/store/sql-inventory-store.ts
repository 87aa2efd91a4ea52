// The InventoryStore on SQL: works on the client or on a transaction's executor (the inbox hands us one).
import type { SqlClient, SqlExecutor } from '@saga/db';
import type { InventoryStore, InventoryTransactions, StockChange } from '../app/inventory-store.port';
import type { Product } from '../domain/product';
import type { Reservation, ReservationFailure, ReservationStatus, StockLine } from '../domain/reservation';

interface ProductRow {
  sku: string;
  name: string;
  price_cents: number;
  available: number;
}

interface ReservationRow {
  order_id: string;
  saga_id: string;
  status: ReservationStatus;
  lines: StockLine[];
  failure: ReservationFailure | null;
  created_at: Date;
  released_at: Date | null;
}

// Namespaces our advisory locks (pg_advisory_xact_lock(int, int)) apart from the migration lock's class.
const ORDER_LOCK_CLASS = 0x1e7e;
const productColumns = 'sku, name, price_cents, available';

const toProduct = (row: ProductRow): Product => ({ sku: row.sku, name: row.name, priceCents: row.price_cents, available: row.available });

const toReservation = (row: ReservationRow): Reservation => ({
  orderId: row.order_id,
  sagaId: row.saga_id,
  status: row.status,
  lines: row.lines,
  createdAt: row.created_at,
  ...(row.failure ? { failure: row.failure } : {}),
  ...(row.released_at ? { releasedAt: row.released_at } : {}),
});

export class SqlInventoryStore implements InventoryStore {
  constructor(private readonly sql: SqlExecutor) {}

  async listProducts(): Promise<Product[]> {
    const { rows } = await this.sql.query<ProductRow>(`SELECT ${productColumns} FROM products ORDER BY sku`);
    return rows.map(toProduct);
  }

  async findProduct(sku: string): Promise<Product | undefined> {
    const { rows } = await this.sql.query<ProductRow>(`SELECT ${productColumns} FROM products WHERE sku = $1`, [sku]);
    return rows[0] && toProduct(rows[0]);
  }

  async lockProducts(skus: readonly string[]): Promise<Product[]> {
    // ORDER BY before FOR UPDATE: rows are locked as they come out of the sort, so every caller locks in sku order.
    const { rows } = await this.sql.query<ProductRow>(
      `SELECT ${productColumns} FROM products WHERE sku = ANY($1::text[]) ORDER BY sku FOR UPDATE`,
      [skus],
    );
    return rows.map(toProduct);
  }

  async adjustStock(changes: readonly StockChange[]): Promise<void> {
    if (changes.length === 0) return;
    const { rowCount } = await this.sql.query(
      `UPDATE products AS p SET available = p.available + c.delta
         FROM unnest($1::text[], $2::int[]) AS c(sku, delta) WHERE p.sku = c.sku`,
      [changes.map((c) => c.sku), changes.map((c) => c.delta)],
    );
    if (rowCount !== changes.length) throw new Error(`adjustStock changed ${rowCount} of ${changes.length} products`);
  }

  async setAvailable(sku: string, available: number): Promise<Product> {
    const { rows } = await this.sql.query<ProductRow>(
      `UPDATE products SET available = $2 WHERE sku = $1 RETURNING ${productColumns}`,
      [sku, available],
    );
    if (!rows[0]) throw new Error(`product ${sku} vanished while locked`);
    return toProduct(rows[0]);
  }

  async lockOrder(orderId: string): Promise<void> {
    await this.sql.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [ORDER_LOCK_CLASS, orderId]);
  }

  async findReservation(orderId: string): Promise<Reservation | undefined> {
    const { rows } = await this.sql.query<ReservationRow>('SELECT * FROM reservations WHERE order_id = $1', [orderId]);
    return rows[0] && toReservation(rows[0]);
  }

  async insertReservation(r: Reservation): Promise<void> {
    // JSON as text + ::jsonb: pg would turn a JS array into a PostgreSQL array (see libs/db/README.md).
    await this.sql.query(
      `INSERT INTO reservations (order_id, saga_id, status, lines, failure, created_at, released_at)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7)`,
      [r.orderId, r.sagaId, r.status, JSON.stringify(r.lines), r.failure ? JSON.stringify(r.failure) : null, r.createdAt, r.releasedAt ?? null],
    );
  }

  async updateReservation(r: Reservation): Promise<void> {
    await this.sql.query('UPDATE reservations SET status = $2, released_at = $3 WHERE order_id = $1', [r.orderId, r.status, r.releasedAt ?? null]);
  }
}

export function createSqlTransactions(db: SqlClient): InventoryTransactions {
  return {
    reader: new SqlInventoryStore(db),
    run: (work) => db.transaction((tx) => work(new SqlInventoryStore(tx))),
  };
}
