// Contract: statements, parameters and the types that come back, identical on every driver.

import { randomUUID } from 'node:crypto';
import type { ContractContext } from './contract-context';

interface OrderDoc {
  order: { id: string; lines: { sku: string; qty: number }[] };
  note: string | null;
  paid: boolean;
}

export function describeQueryContract(ctx: ContractContext): void {
  describe('queries', () => {
    it('round-trips parameters of every type the services use', async () => {
      const t = ctx.table('types');
      await ctx.client.exec(
        `CREATE TABLE ${t} (id uuid PRIMARY KEY, label text, qty int, big bigint, flag boolean, doc jsonb,
           at timestamptz, note text, amount numeric(10,2), day date, bytes bytea)`,
      );
      const id = randomUUID();
      const at = new Date('2024-05-06T07:08:09.123Z');
      const doc: OrderDoc = { order: { id: 'o-1', lines: [{ sku: 'A', qty: 2 }] }, note: null, paid: true };
      const params = [id, 'héllo "quoted" \'single\'', 42, '9007199254740993', true, doc, at, null, '12.50', '2024-02-29', Uint8Array.from([0, 1, 255])];
      const inserted = await ctx.client.query(`INSERT INTO ${t} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, params);
      expect(inserted.rowCount).toBe(1);

      const { rows } = await ctx.client.query<Record<string, unknown>>(`SELECT * FROM ${t} WHERE id = $1`, [id]);
      const { bytes, ...rest } = rows[0];
      expect(rest).toEqual({
        id,
        label: 'héllo "quoted" \'single\'',
        qty: 42,
        big: '9007199254740993', // int8 as a string: past 2^53 a number would lose digits
        flag: true,
        doc,
        at,
        note: null,
        amount: '12.50',
        day: '2024-02-29',
      });
      expect(rest.at).toBeInstanceOf(Date);
      expect(bytes).toBeInstanceOf(Uint8Array);
      expect(Array.from(bytes as Uint8Array)).toEqual([0, 1, 255]);
    });

    it('binds bigint, arrays and JSON text', async () => {
      const { rows } = await ctx.client.query(
        'SELECT $1::int8 AS big, 7::int8 AS small, $2::int[] AS ints, $3 = ANY($4::text[]) AS hit, $5::jsonb AS list',
        [2n ** 62n, [1, 2, 3], 'b', ['a', 'b'], JSON.stringify([1, { x: 'y' }])],
      );
      // toStrictEqual: rows must be plain objects of this realm even where the driver lives in another (PGlite under jest).
      expect(rows).toStrictEqual([{ big: '4611686018427387904', small: '7', ints: [1, 2, 3], hit: true, list: [1, { x: 'y' }] }]);
    });

    it('reports rows returned or changed in rowCount', async () => {
      const t = ctx.table('counts');
      await ctx.client.exec(`CREATE TABLE ${t} (id int PRIMARY KEY, v text)`);
      expect((await ctx.client.query(`INSERT INTO ${t} VALUES (1, 'a'), (2, 'b'), (3, 'c')`)).rowCount).toBe(3);
      expect((await ctx.client.query(`UPDATE ${t} SET v = 'z' WHERE id > $1`, [1])).rowCount).toBe(2);
      expect((await ctx.client.query(`SELECT * FROM ${t}`)).rowCount).toBe(3);
      expect((await ctx.client.query(`DELETE FROM ${t} WHERE id = 99`)).rowCount).toBe(0);
      expect((await ctx.client.query(`ALTER TABLE ${t} ADD COLUMN w int`)).rowCount).toBe(0);
    });

    it('runs scripts with exec() and refuses several statements in query()', async () => {
      const t = ctx.table('script');
      await ctx.client.exec(`CREATE TABLE ${t} (id int); INSERT INTO ${t} VALUES (1); INSERT INTO ${t} VALUES (2);`);
      expect((await ctx.client.query(`SELECT count(*)::int AS n FROM ${t}`)).rows).toEqual([{ n: 2 }]);
      await expect(ctx.client.query(`INSERT INTO ${t} VALUES (3); INSERT INTO ${t} VALUES (4)`)).rejects.toThrow();
    });
  });
}
