// Contract: commit, rollback, isolation, and transactions that never interleave.

import type { SqlExecutor } from '../sql-client';
import { isTransactionAborted } from '../sql-errors';
import { sleep, type ContractContext } from './contract-context';

export function describeTransactionContract(ctx: ContractContext): void {
  describe('transactions', () => {
    let t: string;
    const values = async (): Promise<string[]> =>
      (await ctx.client.query<{ v: string }>(`SELECT v FROM ${t} ORDER BY v`)).rows.map((row) => row.v);

    beforeAll(async () => {
      t = ctx.table('tx');
      await ctx.client.exec(`CREATE TABLE ${t} (v text PRIMARY KEY)`);
    });
    beforeEach(() => ctx.client.exec(`DELETE FROM ${t}`));

    it('commits when the work resolves and returns its value', async () => {
      const result = await ctx.client.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${t} VALUES ($1)`, ['a']);
        await tx.query(`INSERT INTO ${t} VALUES ($1)`, ['b']);
        return 'done';
      });
      expect(result).toBe('done');
      expect(await values()).toEqual(['a', 'b']);
    });

    it('rolls back every statement and rethrows the same error when the work throws', async () => {
      const boom = new Error('boom');
      await expect(
        ctx.client.transaction(async (tx) => {
          await tx.query(`INSERT INTO ${t} VALUES ('a')`);
          await tx.exec(`INSERT INTO ${t} VALUES ('b'); INSERT INTO ${t} VALUES ('c')`);
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await values()).toEqual([]);
    });

    it('lets statements in a transaction see its own writes', async () => {
      const seen = await ctx.client.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${t} VALUES ('mine')`);
        return (await tx.query<{ v: string }>(`SELECT v FROM ${t}`)).rows;
      });
      expect(seen).toEqual([{ v: 'mine' }]);
    });

    it('fails the commit when a statement failed inside, even if the work caught the error', async () => {
      const outcome = ctx.client.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${t} VALUES ('lost')`);
        await tx.query('SELECT 1 / 0').catch(() => undefined);
        return 'looked fine';
      });
      const err: unknown = await outcome.then(() => undefined, (e: unknown) => e);
      expect(isTransactionAborted(err)).toBe(true);
      expect(await values()).toEqual([]);
    });

    it('applies the requested isolation level', async () => {
      const level = (tx: SqlExecutor) => tx.query<{ transaction_isolation: string }>('SHOW transaction_isolation');
      const serializable = await ctx.client.transaction(level, { isolation: 'serializable' });
      const repeatable = await ctx.client.transaction(level, { isolation: 'repeatable read' });
      const byDefault = await ctx.client.transaction(level);
      expect(serializable.rows[0].transaction_isolation).toBe('serializable');
      expect(repeatable.rows[0].transaction_isolation).toBe('repeatable read');
      expect(byDefault.rows[0].transaction_isolation).toBe('read committed');
    });

    it('refuses statements on a transaction executor after the transaction finished', async () => {
      let leaked: SqlExecutor | undefined;
      await ctx.client.transaction(async (tx) => {
        leaked = tx;
      });
      await expect(leaked!.query('SELECT 1')).rejects.toThrow(/already finished/);
    });

    it('runs concurrent read-modify-write transactions one after the other (+2, not +1)', async () => {
      const counter = ctx.table('counter');
      await ctx.client.exec(`CREATE TABLE ${counter} (id int PRIMARY KEY, n int NOT NULL); INSERT INTO ${counter} VALUES (1, 0)`);
      // FOR UPDATE makes pg queue the second; on PGlite's single connection it would not block,
      // so only a driver that keeps the transactions apart gets +2.
      const increment = () =>
        ctx.client.transaction(async (tx) => {
          const { rows } = await tx.query<{ n: number }>(`SELECT n FROM ${counter} WHERE id = 1 FOR UPDATE`);
          await sleep(30); // leaves room for the other transaction to interleave, if the driver let it
          await tx.query(`UPDATE ${counter} SET n = $1 WHERE id = 1`, [rows[0].n + 1]);
        });
      await Promise.all([increment(), increment()]);
      expect((await ctx.client.query(`SELECT n FROM ${counter}`)).rows).toEqual([{ n: 2 }]);
    });

    it('keeps a statement sent on the client while a transaction is open out of that transaction', async () => {
      let markWritten!: () => void;
      const written = new Promise<void>((resolve) => (markWritten = resolve));
      const inside = ctx.client.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${t} VALUES ('inside')`);
        markWritten();
        await sleep(50);
        throw new Error('roll back');
      });
      await written; // from here on we are another caller, not the transaction's work
      const outside = ctx.client.query(`INSERT INTO ${t} VALUES ('outside')`);
      await expect(inside).rejects.toThrow('roll back');
      await outside;
      expect(await values()).toEqual(['outside']);
    });
  });
}
