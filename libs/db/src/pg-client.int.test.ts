// Runs the SqlClient contract on real PostgreSQL, plus what only the pg driver does (several pools, reconnects).

import { randomBytes } from 'node:crypto';
import { migrate } from './migrate';
import type { Migration } from './migration-plan';
import { createPgClient, type PgClientOptions } from './pg-client';
import type { SqlClient } from './sql-client';
import { describeSqlClientContract } from './sql-client.contract';
import { errorMessage, isRetryableTxError } from './sql-errors';
import { sleep, waitFor } from './testing/contract-context';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://saga:saga@127.0.0.1:5432/saga_test';

/** Fails (never skips) with a hint when PostgreSQL is not there. */
async function connect(opts: Partial<PgClientOptions> = {}): Promise<SqlClient> {
  try {
    return await createPgClient({ connectionString: DATABASE_URL, ...opts });
  } catch (err) {
    throw new Error(`${errorMessage(err)}\nThe integration tests need PostgreSQL: run \`npm run infra:up\` or set DATABASE_URL.`, { cause: err });
  }
}

describeSqlClientContract('pg', () => connect());

describe('pg driver', () => {
  const suffix = randomBytes(4).toString('hex');
  const clients: SqlClient[] = [];
  const open = async (opts: Partial<PgClientOptions> = {}): Promise<SqlClient> => {
    const client = await connect(opts);
    clients.push(client);
    return client;
  };
  afterAll(async () => {
    const admin = clients[0];
    if (admin) {
      for (const t of ['race_history', 'race_log', 'ser']) await admin.exec(`DROP TABLE IF EXISTS ${t}_${suffix}`);
    }
    await Promise.all(clients.map((client) => client.close()));
  });

  it('applies each migration exactly once when two pools migrate at the same time', async () => {
    const [a, b] = await Promise.all([open({ max: 2 }), open({ max: 2 })]);
    const log = `race_log_${suffix}`;
    const list: Migration[] = [
      { id: '001-create', sql: `CREATE TABLE ${log} (id text PRIMARY KEY)` },
      // pg_sleep widens the window in which the other instance would run the same migration.
      ...['002', '003', '004'].map((id) => ({ id, sql: `SELECT pg_sleep(0.05); INSERT INTO ${log} VALUES ('${id}')` })),
    ];
    const opts = { table: `race_history_${suffix}` };
    const [ranByA, ranByB] = await Promise.all([migrate(a, list, opts), migrate(b, list, opts)]);
    expect([...ranByA, ...ranByB].sort()).toEqual(['001-create', '002', '003', '004']);
    expect((await a.query(`SELECT id FROM ${log} ORDER BY id`)).rows).toEqual([{ id: '002' }, { id: '003' }, { id: '004' }]);
  }, 30_000);

  it('surfaces a real serialization failure as retryable', async () => {
    const client = await open();
    const t = `ser_${suffix}`;
    await client.exec(`CREATE TABLE ${t} (id int PRIMARY KEY, n int); INSERT INTO ${t} VALUES (1, 0)`);
    let bothRead!: () => void;
    let reads = 0;
    const gate = new Promise<void>((resolve) => (bothRead = resolve));
    const bump = () =>
      client.transaction(
        async (tx) => {
          await tx.query(`SELECT n FROM ${t} WHERE id = 1`);
          if (++reads === 2) bothRead();
          await gate; // both snapshots taken before either writes
          await tx.query(`UPDATE ${t} SET n = n + 1 WHERE id = 1`);
        },
        { isolation: 'serializable' },
      );
    const outcomes = await Promise.allSettled([bump(), bump()]);
    const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(failures).toHaveLength(1);
    expect(isRetryableTxError(failures[0].reason)).toBe(true);
  }, 30_000);

  it('re-establishes the LISTEN connection after it is killed', async () => {
    const applicationName = `saga-db-test-${suffix}`;
    const errors: unknown[] = [];
    const client = await open({ applicationName, onError: (err) => errors.push(err) });
    const channel = `reconnect_${suffix}`;
    const got: string[] = [];
    await client.listen(channel, (payload) => got.push(payload));
    const killed = await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
      `${applicationName}:listen`,
    ]);
    expect(killed.rowCount).toBe(1);
    // Notifications sent while it reconnects are lost (hence polling in the relay); keep sending until one lands.
    for (let i = 0; got.length === 0 && i < 50; i++) {
      await client.notify(channel, `after-${i}`);
      await sleep(100);
    }
    await waitFor(() => got.length > 0);
    expect(errors.length).toBeGreaterThan(0); // the drop was reported, not thrown
  }, 30_000);

  it('fails with a clear message, without the password, when PostgreSQL is unreachable', async () => {
    const attempt = createPgClient({ connectionString: 'postgres://saga:secret@127.0.0.1:1/none', connectionTimeoutMs: 2_000 });
    await expect(attempt).rejects.toThrow(/Cannot connect to PostgreSQL at postgres:\/\/saga:\*\*\*@127\.0\.0\.1:1\/none/);
    await expect(attempt).rejects.not.toThrow(/secret/);
  });
});
