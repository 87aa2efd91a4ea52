// Runs the SqlClient contract on PGlite, plus what only the embedded driver does.

import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgliteClient } from './pglite-client';
import { PgliteDataDirError } from './pglite-data-dirs';
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

  it('names the folder and the PostgreSQL major that wrote it when a data folder does not open', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'saga-db-pglite-'));
    try {
      const first = await createPgliteClient({ dataDir });
      await first.close();
      const major = Number(readFileSync(join(dataDir, 'PG_VERSION'), 'utf8'));
      // What a folder of the previous PGlite line looks like to this one (0.5 wrote PostgreSQL 18; 0.6 runs 19).
      await writeFile(join(dataDir, 'PG_VERSION'), `${major - 1}\n`);
      const opening = createPgliteClient({ dataDir });
      await expect(opening).rejects.toThrow(`could not open the database in ${dataDir}, written by PostgreSQL ${major - 1}`);
      await expect(opening).rejects.toBeInstanceOf(PgliteDataDirError);
      await expect(opening).rejects.toMatchObject({ dataDir, writtenBy: String(major - 1), pgliteVersion: expect.stringMatching(/^\d+\.\d+\.\d+/) });
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
