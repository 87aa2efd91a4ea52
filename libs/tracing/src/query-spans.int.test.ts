// End to end in a child process on real PostgreSQL, with the SDK as every service starts it: a traced transaction has
// a span per statement it runs (a failed one marked so), none for BEGIN, COMMIT or ROLLBACK, and a query outside any
// trace (the relay's polls) starts none.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

test('query spans cover the statements run in a trace, not BEGIN, COMMIT or ROLLBACK, and nothing outside one', () => {
  const root = join(__dirname, '../../..');
  const output = execFileSync(process.execPath, ['-r', join(root, 'scripts/ts-register.js'), join(__dirname, 'testing/query-spans-fixture.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}) },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const { queries, traces } = JSON.parse(output.trim().split('\n').at(-1) as string) as { queries: unknown[]; traces: number };
  expect(queries).toEqual([
    { name: expect.stringMatching(/^pg\.query:SELECT \w+$/), text: 'SELECT 1 AS committed', status: 'unset' },
    { name: expect.stringMatching(/^pg\.query:SELECT \w+$/), text: 'SELECT 2 FROM no_such_table', status: 'error' },
    { name: expect.stringMatching(/^pg\.query:SELECT \w+$/), text: 'SELECT 3 AS alone', status: 'unset' },
  ]);
  expect(traces).toBe(1);
}, 40_000);
