// The inventory schema and its seeded catalog, plus the outbox/inbox tables the messaging library needs.
import { migrate, type Migration, type SqlClient } from '@saga/db';
import { migrateMessaging } from '@saga/messaging';

const schema: Migration = {
  id: 'inventory-001-products-and-reservations',
  sql: `
    -- "C" collation: skus sort by code point, the same order the domain uses to take row locks.
    CREATE TABLE products (
      sku text COLLATE "C" PRIMARY KEY,
      name text NOT NULL,
      price_cents integer NOT NULL CHECK (price_cents > 0),
      available integer NOT NULL CHECK (available >= 0)
    );
    -- One row per order: what was taken, or why nothing was, so repeated commands get the same answer.
    CREATE TABLE reservations (
      order_id text PRIMARY KEY,
      saga_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('RESERVED', 'RELEASED', 'FAILED')),
      lines jsonb NOT NULL,
      failure jsonb,
      created_at timestamptz NOT NULL,
      released_at timestamptz,
      CHECK ((status = 'FAILED') = (failure IS NOT NULL)),
      CHECK ((status = 'RELEASED') = (released_at IS NOT NULL))
    );
  `,
};

/** The starting catalog; SKU-RARE has a single unit, handy to show an out-of-stock cancellation. */
export const catalogSeedSql = `
    INSERT INTO products (sku, name, price_cents, available) VALUES
      ('SKU-APPLE', 'Apple', 120, 1000),
      ('SKU-BREAD', 'Sourdough bread', 350, 500),
      ('SKU-CHEESE', 'Aged cheese', 1299, 50),
      ('SKU-COFFEE', 'Coffee beans 250 g', 899, 200),
      ('SKU-RARE', 'Rare truffle', 15000, 1),
      ('SKU-TEA', 'Green tea', 450, 300);
`;

const seedCatalog: Migration = { id: 'inventory-002-seed-catalog', sql: catalogSeedSql };

export const inventoryMigrations: readonly Migration[] = [schema, seedCatalog];

/** The outbox/inbox tables (their own history table), then inventory's own; returns the ids applied. */
export async function migrateInventoryDb(db: SqlClient): Promise<string[]> {
  return [...(await migrateMessaging(db)), ...(await migrate(db, inventoryMigrations))];
}
