// `npm run load` against `npm start`: the embedded platform spawned from its built entry point on a free port, the
// generator run as a user runs it (its own process, only the gateway's URL), a few seconds at a low rate each time.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { testSigningKeyPem } from '@saga/auth/testing';
import { measureOpenLoop } from '../../test/bench/open-loop';
import { arrivals } from './load-schedule';
import { gatewayCall, login } from '../../test/e2e/support/gateway-client';
import { freePort, ServiceProcess } from '../../test/e2e/support/service-process';

jest.setTimeout(180_000);

const repoRoot = resolve(__dirname, '../..');
let platform: ServiceProcess | undefined;
let dataDir: string | undefined;

/** Runs the generator to its end; its output (stdout and stderr, as a terminal would show them) and exit code. */
function load(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['-r', './scripts/ts-register.js', 'scripts/load/load.ts', ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', fail);
    child.once('exit', (code) => done({ code, output }));
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'saga-load-'));
  const logDir = join(repoRoot, '.local/logs');
  mkdirSync(logDir, { recursive: true });
  const port = await freePort();
  platform = new ServiceProcess({
    name: 'embedded',
    script: join(repoRoot, 'platform/embedded/dist/main.js'),
    port,
    // As `npm start` runs it (demo users, fault API on, the default rate limits), on this test's ports and folder.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), HOST: '127.0.0.1', METRICS_PORT: '0', SAGA_DATA_DIR: dataDir, JWT_SIGNING_KEY: testSigningKeyPem(), LOG_LEVEL: 'warn' },
    logFile: join(logDir, `load-int-${process.pid}.log`),
  });
  platform.start();
  await platform.waitReady(150_000);
}, 180_000);

afterAll(async () => {
  await platform?.kill('SIGTERM');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

const url = () => platform!.url;

test('declined cards, out-of-stock orders and a charge fault: every order ends as asked, the invariants hold, exit 0, the fault rule gone', async () => {
  const { code, output } = await load(['--rate', '8', '--duration', '4', '--declined', '25%', '--out-of-stock', '10%', '--fault', 'payment.charge.error=0.5', '--drain', '60', '--url', url()]);
  const failure = `exit ${code}:\n${output}`;
  expect({ code, failure }).toEqual({ code: 0, failure });
  expect(output).toMatch(/\(32 orders, open loop\) through http:\/\/127\.0\.0\.1:\d+; mode mixed, 25% declined cards, 10% out of stock/);
  expect(output).toMatch(/^\[load +\d+ s\] placed \d+\/32 +approved \d+ +cancelled \d+ +in flight \d+ +refused \d+ +p50 .+ +p99 .+$/m);
  // The fault fired (a charge with p = 0.5, over some thirty orders) and was removed after the arrivals.
  const fired = Number(/fault payment\.charge\.error=0\.5: fired (\d+) times, removed/.exec(output)?.[1]);
  expect(fired).toBeGreaterThan(0);
  const admin = await login(url(), 'admin', 'admin-secret');
  expect((await gatewayCall<{ items: unknown[] }>(url(), 'GET', '/api/admin/faults/payment', { authorization: admin })).body.items).toEqual([]);
  // The outcome table against the schedule: every out-of-stock order ended so; a declined card ended declined, or
  // provider-unavailable when the fault got to its charge first, as did some good orders.
  const planned = [...arrivals({ ratePerSecond: 8, durationSeconds: 4, mode: 'mixed', declined: 0.25, outOfStock: 0.1 })];
  const kinds = (kind: string) => planned.filter((a) => a.kind === kind).length;
  const row = (outcome: string) => /^ {2}\S.*? +(\d+) +(\d+) +(\d+)$/.exec(output.split('\n').find((line) => line.startsWith(`  ${outcome} `)) ?? '')?.slice(1).map(Number) ?? [0, 0, 0];
  expect(row('CANCELLED OUT_OF_STOCK')[2]).toBe(kinds('out-of-stock'));
  expect(row('CANCELLED PAYMENT_PROVIDER_UNAVAILABLE')[2]).toBeGreaterThan(0);
  expect(row('CANCELLED PAYMENT_DECLINED')[2]! + row('CANCELLED PAYMENT_PROVIDER_UNAVAILABLE')[2]!).toBeGreaterThanOrEqual(kinds('declined'));
  const cancelled = output.split('\n').filter((line) => line.startsWith('  CANCELLED ')).reduce((sum, line) => sum + Number(/(\d+)$/.exec(line)?.[1]), 0);
  expect(row('APPROVED')[2]).toBe(planned.length - cancelled);
  expect(row('all orders')).toEqual([planned.length / 2, planned.length / 2, planned.length]);
  expect(output).toMatch(/^ +Value +Percentile +TotalCount 1\/\(1-Percentile\)$/m);
  expect(output).toMatch(/Total count += +32\]/);
  for (const check of ['orders final', 'declined and out-of-stock orders', 'stock', "money (provider's books)", 'notifications', 'parked sagas']) expect(output).toContain(`✓ ${check}:`);
  expect(output).toMatch(/approved, \d+ cancelled, 0 refused, 0 stuck, in [\d.]+ s; every invariant holds\n$/);
});

test('orders still pending when the drain runs out: reported stuck, exit 1', async () => {
  // Each reservation held 4 s by a delay rule; the drain gives them 1 s once the arrivals stop.
  const { code, output } = await load(['--rate', '4', '--duration', '1', '--mode', 'orchestration', '--fault', 'inventory.reserve.delay:4000=1', '--drain', '1', '--url', url()]);
  expect({ code, output }).toEqual({ code: 1, output: expect.stringMatching(/✗ orders final: [1-4] of 4 still PENDING 1 s after the last arrival/) });
  expect(output).toContain('– stock: ');
  expect(output).toMatch(/; FAILED: orders final\n$/);
  await new Promise((resolve) => setTimeout(resolve, 5_000)); // the held reservations finish before the next test counts stock
});

test("a rate beyond the gateway's per-user limit (read from its RateLimit-Policy): warned before the first order", async () => {
  // 25 orders/s over two users is 12.5 requests/s each against npm start's 100 per 10 s; one second stays under it.
  const { code, output } = await load(['--rate', '25', '--duration', '1', '--url', url()]);
  expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('warning: the gateway allows each user 100 requests per 10 s and this run asks 12.5/s of each of 2: expect 429s') });
  expect(output.indexOf('warning: ')).toBeLessThan(output.indexOf('[load '));
});

test('bad arguments: a message, the usage, exit 2, before anything is sent', async () => {
  const { code, output } = await load(['--declined', '10', '--url', url()]);
  expect({ code, output }).toEqual({ code: 2, output: expect.stringContaining('load: --declined 10: write 10% for a percentage, or a fraction between 0 and 1\nusage: npm run load') });
});

test("the bench's open-loop run (test/bench/open-loop.ts) reads its figures from the same generator", async () => {
  const result = await measureOpenLoop({ gatewayUrl: url(), ratePerSecond: 5, durationSeconds: 2, mode: 'choreography', drainSeconds: 60 });
  expect(result).toMatchObject({ ratePerSecond: 5, orders: 10, approved: 10, cancelled: 0, refused: 0, stuck: 0, failed: [] });
  expect(result.p50Ms).toBeGreaterThan(0);
  expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
  expect(result.report.at(-1)).toMatch(/every invariant holds$/);
});
