// End to end in a child process on real PostgreSQL (the pg instrumentation patches pg as it is loaded): a traced
// transaction has a span per statement it runs, and none for BEGIN, COMMIT or ROLLBACK.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

test('query spans cover the statements of a transaction, not its BEGIN, COMMIT or ROLLBACK', () => {
  const root = join(__dirname, '../../..');
  const output = execFileSync(process.execPath, ['-r', join(root, 'scripts/ts-register.js'), join(__dirname, 'testing/query-spans-fixture.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}) },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const { queries } = JSON.parse(output.trim().split('\n').at(-1) as string) as { queries: { name: string; text: string }[] };
  expect(queries.map((query) => query.text)).toEqual(['SELECT 1 AS committed', 'SELECT 2 AS rolled_back', 'SELECT 3 AS alone']);
  expect(queries.every((query) => query.name.startsWith('pg.query:SELECT'))).toBe(true);
}, 40_000);
