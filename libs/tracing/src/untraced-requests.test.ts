// End to end in a child process (the instrumentation patches http as it is loaded): a read the sampler leaves out
// never reaches the HTTP instrumentation, a write always does, and a read inside a traced call follows its caller.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

interface Seen {
  seen: { request: string; recorded: boolean; leftUntraced: boolean }[];
}

function serve(ratio: string): Seen {
  const root = join(__dirname, '../../..');
  const output = execFileSync(process.execPath, ['-r', join(root, 'scripts/ts-register.js'), join(__dirname, 'testing/sampling-fixture.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', RATIO: ratio },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return JSON.parse(output.trim().split('\n').at(-1) as string) as Seen;
}

test('reads left out skip the instrumentation and are marked; writes, probes aside, are traced', () => {
  const { seen } = serve('0');
  expect(seen).toEqual([
    { request: 'GET /products', recorded: false, leftUntraced: true },
    { request: 'POST /orders', recorded: true, leftUntraced: false },
    { request: 'GET /health/ready', recorded: false, leftUntraced: true },
    { request: 'GET /products?in-a-saga', recorded: true, leftUntraced: false },
  ]);
}, 40_000);

test('at ratio 1 every read is traced', () => {
  const { seen } = serve('1');
  expect(seen.filter((s) => s.request !== 'GET /health/ready').every((s) => s.recorded && !s.leftUntraced)).toBe(true);
}, 40_000);
