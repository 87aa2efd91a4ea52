// Contract: migrations apply once, in order, and refuse a history the list no longer explains.

import { migrate } from '../migrate';
import { MigrationHistoryError, type Migration } from '../migration-plan';
import type { ContractContext } from './contract-context';

export function describeMigrationContract(ctx: ContractContext): void {
  describe('migrate', () => {
    it('applies each migration once, in order, and is idempotent', async () => {
      const history = ctx.table('mig_history');
      const items = ctx.table('mig_items');
      const m1: Migration = { id: '001-create-items', sql: `CREATE TABLE ${items} (id int PRIMARY KEY); CREATE INDEX ON ${items} (id)` };
      const m2: Migration = { id: '002-seed', sql: `INSERT INTO ${items} VALUES (1)` };
      const m3: Migration = { id: '003-more', sql: `INSERT INTO ${items} VALUES (2)` };
      const opts = { table: history };

      expect(await migrate(ctx.client, [m1, m2], opts)).toEqual(['001-create-items', '002-seed']);
      expect(await migrate(ctx.client, [m1, m2], opts)).toEqual([]);
      expect(await migrate(ctx.client, [m1, m2, m3], opts)).toEqual(['003-more']);
      expect((await ctx.client.query(`SELECT id FROM ${items} ORDER BY id`)).rows).toEqual([{ id: 1 }, { id: 2 }]);
      const recorded = await ctx.client.query(`SELECT position, id FROM ${history} ORDER BY position`);
      expect(recorded.rows).toEqual([
        { position: 1, id: '001-create-items' },
        { position: 2, id: '002-seed' },
        { position: 3, id: '003-more' },
      ]);

      // A recorded migration removed from the list, or one slipped in before an applied one.
      await expect(migrate(ctx.client, [m1, m3], opts)).rejects.toThrow(MigrationHistoryError);
      await expect(migrate(ctx.client, [m1, m3], opts)).rejects.toThrow(/"002-seed" no longer in the list/);
      const inserted: Migration = { id: '001b-late', sql: 'SELECT 1' };
      await expect(migrate(ctx.client, [m1, inserted, m2, m3], opts)).rejects.toThrow(/out of order/);
      await expect(migrate(ctx.client, [m1, m1], opts)).rejects.toThrow(/appears twice/);
    });

    it('rolls back a failing migration with its record, keeping the ones before it', async () => {
      const history = ctx.table('mig_fail_history');
      const half = ctx.table('mig_half');
      const ok: Migration = { id: '001-ok', sql: 'SELECT 1' };
      const bad: Migration = { id: '002-bad', sql: `CREATE TABLE ${half} (id int); SELECT 1 / 0` };
      await expect(migrate(ctx.client, [ok, bad], { table: history })).rejects.toThrow(/Migration "002-bad" failed/);
      expect((await ctx.client.query(`SELECT id FROM ${history}`)).rows).toEqual([{ id: '001-ok' }]);
      expect((await ctx.client.query('SELECT to_regclass($1) AS t', [half])).rows).toEqual([{ t: null }]);
    });

    it('applies each migration exactly once when called concurrently', async () => {
      const history = ctx.table('mig_race_history');
      const log = ctx.table('mig_race_log');
      const list: Migration[] = [
        { id: '001', sql: `CREATE TABLE ${log} (id text)` },
        ...['002', '003', '004'].map((id) => ({ id, sql: `INSERT INTO ${log} VALUES ('${id}')` })),
      ];
      const runs = await Promise.all([1, 2, 3].map(() => migrate(ctx.client, list, { table: history })));
      expect(runs.flat().sort()).toEqual(['001', '002', '003', '004']);
      expect((await ctx.client.query(`SELECT id FROM ${log} ORDER BY id`)).rows).toEqual([{ id: '002' }, { id: '003' }, { id: '004' }]);
    });
  });
}
