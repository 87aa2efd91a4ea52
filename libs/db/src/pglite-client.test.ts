// Runs the SqlClient contract on PGlite, plus what only the embedded driver does.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgliteClient } from './pglite-client';
import { describeSqlClientContract } from './sql-client.contract';

describeSqlClientContract('PGlite (in memory)', () => createPgliteClient());

describe('PGlite driver', () => {
  it('keeps data in a folder across restarts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'saga-db-pglite-'));
    try {
      const first = await createPgliteClient({ dataDir });
      await first.exec("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('survives')");
      await first.close();
      const second = await createPgliteClient({ dataDir });
      expect((await second.query('SELECT v FROM kept')).rows).toEqual([{ v: 'survives' }]);
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses a statement on the client inside its own transaction instead of waiting forever', async () => {
    const client = await createPgliteClient();
    try {
      await expect(client.transaction(() => client.query('SELECT 1'))).rejects.toThrow(/use the tx executor/);
      await expect(client.transaction(() => client.transaction(async () => 1))).rejects.toThrow(/use the tx executor/);
      expect((await client.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]); // and the client still works
    } finally {
      await client.close();
    }
  }, 60_000);

  it('hands a throwing listen() callback to onError instead of crashing', async () => {
    const errors: unknown[] = [];
    const client = await createPgliteClient({ onError: (err) => errors.push(err) });
    try {
      await client.listen('boom', () => {
        throw new Error('handler failed');
      });
      await client.notify('boom', 'x');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(errors).toEqual([new Error('handler failed')]);
    } finally {
      await client.close();
    }
  }, 60_000);
});
