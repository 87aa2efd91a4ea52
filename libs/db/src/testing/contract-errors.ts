// Contract: driver errors carry the SQLSTATE the helpers read.

import { isRetryableTxError, isUniqueViolation, sqlState, violatedConstraint } from '../sql-errors';
import type { ContractContext } from './contract-context';

const failure = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (err: unknown) => err);

export function describeErrorContract(ctx: ContractContext): void {
  describe('errors', () => {
    it('detects a unique violation, by constraint too, even when wrapped or rethrown by a transaction', async () => {
      const t = ctx.table('uniq');
      await ctx.client.exec(`CREATE TABLE ${t} (key text CONSTRAINT ${t}_key_unique UNIQUE)`);
      await ctx.client.query(`INSERT INTO ${t} VALUES ($1)`, ['k']);

      const direct = await failure(ctx.client.query(`INSERT INTO ${t} VALUES ($1)`, ['k']));
      expect(sqlState(direct)).toBe('23505');
      expect(violatedConstraint(direct)).toBe(`${t}_key_unique`);
      expect(isUniqueViolation(direct)).toBe(true);
      expect(isUniqueViolation(direct, `${t}_key_unique`)).toBe(true);
      expect(isUniqueViolation(direct, 'another_constraint')).toBe(false);
      expect(isUniqueViolation(new Error('wrapped', { cause: direct }))).toBe(true);
      expect(isRetryableTxError(direct)).toBe(false);

      const inTx = await failure(ctx.client.transaction((tx) => tx.query(`INSERT INTO ${t} VALUES ($1)`, ['k'])));
      expect(isUniqueViolation(inTx)).toBe(true);
    });

    it.each(['40001', '40P01'])('treats SQLSTATE %s as a retryable transaction error', async (code) => {
      const err = await failure(ctx.client.query(`DO $$ BEGIN RAISE EXCEPTION 'simulated' USING ERRCODE = '${code}'; END $$`));
      expect(sqlState(err)).toBe(code);
      expect(isRetryableTxError(err)).toBe(true);
      expect(isUniqueViolation(err)).toBe(false);
    });

    it('does not mistake other errors for known ones', async () => {
      const err = await failure(ctx.client.query('SELECT * FROM no_such_table_anywhere'));
      expect(sqlState(err)).toBe('42P01');
      expect(isUniqueViolation(err)).toBe(false);
      expect(isRetryableTxError(err)).toBe(false);
    });
  });
}
