// Applies pending migrations in order, one transaction each, safely when several instances start at once.

import type { SqlClient } from './sql-client';
import { assertMigrationList, nextMigration, type Migration } from './migration-plan';
import { errorMessage } from './sql-errors';
import { quoteTableName } from './sql-names';

export interface MigrateOptions {
  /** History table, `name` or `schema.name`; defaults to schema_migrations. */
  table?: string;
}

// Namespaces our advisory lock so it cannot collide with another user of pg_advisory_*(int, int).
const LOCK_CLASS = 0x5a6a;

/**
 * Applies, in order, every migration not yet recorded, each in its own transaction together with
 * its history row, and returns the ids applied (empty when up to date). Each transaction first
 * takes a transaction-scoped advisory lock keyed by the history table, so a second instance
 * starting at the same moment waits, then reads the first one's history and skips what it applied.
 * While waiting it is subject to statement_timeout, if one is set.
 */
export async function migrate(client: SqlClient, migrations: readonly Migration[], opts: MigrateOptions = {}): Promise<string[]> {
  assertMigrationList(migrations);
  const tableName = opts.table ?? 'schema_migrations';
  const table = quoteTableName(tableName);
  const applied: string[] = [];
  for (;;) {
    const id = await client.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${LOCK_CLASS}, hashtext($1))`, [tableName]);
      // Created under the lock: concurrent CREATE TABLE IF NOT EXISTS can still fail on pg_type.
      await tx.exec(
        `CREATE TABLE IF NOT EXISTS ${table} (position integer PRIMARY KEY, id text NOT NULL UNIQUE, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const { rows } = await tx.query<{ id: string }>(`SELECT id FROM ${table} ORDER BY position`);
      const next = nextMigration(migrations, rows.map((row) => row.id));
      if (next === undefined) return undefined;
      try {
        await tx.exec(next.sql);
      } catch (err) {
        throw new Error(`Migration "${next.id}" failed and was rolled back: ${errorMessage(err)}`, { cause: err });
      }
      await tx.query(`INSERT INTO ${table} (position, id) VALUES ($1, $2)`, [rows.length + 1, next.id]);
      return next.id;
    });
    if (id === undefined) return applied;
    applied.push(id);
  }
}
