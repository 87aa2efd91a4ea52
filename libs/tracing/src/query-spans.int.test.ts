// End to end in a child process on real PostgreSQL, with the SDK as every service starts it: a traced transaction is
// one span from BEGIN to COMMIT (its statements' texts on it, BEGIN's, the statements' and COMMIT's times noted; a
// failed one marked so), a lone statement a span of its own, and a query outside any trace (the relay's polls) none.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

test('a traced transaction is one span holding its statements, a lone statement one span, and nothing outside a trace', () => {
  const root = join(__dirname, '../../..');
  const output = execFileSync(process.execPath, ['-r', join(root, 'scripts/ts-register.js'), join(__dirname, 'testing/query-spans-fixture.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}) },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const { queries, traces } = JSON.parse(output.trim().split('\n').at(-1) as string) as { queries: unknown[]; traces: number };
  expect(queries).toEqual([
    {
      name: expect.stringMatching(/^pg\.transaction \w+$/),
      text: 'SELECT 1 AS committed;\nSELECT 11 AS also_committed',
      status: 'unset',
      statements: 2,
      timings: ['saga.db.begin_ms', 'saga.db.statements_ms', 'saga.db.commit_ms'],
    },
    { name: expect.stringMatching(/^pg\.transaction \w+$/), text: 'SELECT 2 FROM no_such_table', status: 'error', statements: 1, timings: ['saga.db.begin_ms', 'saga.db.statements_ms'] },
    { name: expect.stringMatching(/^pg\.query:SELECT \w+$/), text: 'SELECT 3 AS alone', status: 'unset', timings: [] },
  ]);
  expect(traces).toBe(1);
}, 40_000);
