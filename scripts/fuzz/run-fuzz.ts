// `npm run fuzz` (deep) and the fuzz stage of `npm test` (`--quick`): Schemathesis drives the embedded platform's
// gateway with its own OpenAPI contract, as a customer and as an admin, with every check on. Exit 1 on any failure.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const quick = process.argv.includes('--quick');
/** Examples per operation and a wall-clock bound per run: the quick stage keeps npm test within CI's time. */
// (Schemathesis' --max-time is a budget it spends in full, so the quick run has none: the examples bound it, and a
// run that still takes longer than `killAfterSeconds` is stopped and fails.)
const budget = quick
  ? { examples: 40, maxTimeSeconds: undefined, killAfterSeconds: 600 }
  : { examples: Number(process.env.FUZZ_EXAMPLES ?? 300), maxTimeSeconds: Number(process.env.FUZZ_MAX_TIME ?? 600), killAfterSeconds: 1_800 };
// npm test is reproducible (a fixed seed unless FUZZ_SEED says otherwise); npm run fuzz explores (a fresh seed, printed).
const seed = process.env.FUZZ_SEED ?? (quick ? '20261206' : String(Math.floor(Math.random() * 2 ** 31)));
const reportDir = join(root, '.local/fuzz');

/**
 * Three runs, one after another:
 * - a customer: every operation (the admin ones must answer 403 and nothing else);
 * - an admin: every operation but the fault rules;
 * - an admin on the fault rules alone, last: a delay rule the fuzzer adds on the price lookup would otherwise hold
 *   every later order for up to two minutes (the platform is thrown away afterwards).
 */
const runs = [
  { name: 'customer', user: 'alice', password: 'alice-secret', filter: [] as string[] },
  { name: 'admin', user: 'admin', password: 'admin-secret', filter: ['--exclude-path-regex', '^/api/admin/faults/'] },
  { name: 'admin-faults', user: 'admin', password: 'admin-secret', filter: ['--include-path-regex', '^/api/admin/faults/'] },
];

function say(line: string): void {
  process.stdout.write(`[fuzz] ${line}\n`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitReady(url: string, platform: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (platform.exitCode !== null) throw new Error(`the embedded platform exited (${platform.exitCode}) before it was ready`);
    try {
      const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 500));
  }
  throw new Error(`the embedded platform was not ready within ${timeoutMs / 1000} s`);
}

async function tokenFor(url: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${url}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const body = (await response.json()) as { access_token?: string };
  if (response.status !== 200 || !body.access_token) throw new Error(`POST /auth/token for ${username} answered ${response.status}`);
  return body.access_token;
}

/**
 * Schemathesis' own summary, e.g. "1030 generated, 5 found 5 unique failures, 22 skipped (2 warnings, 24.50 s)".
 * Its closing banner ("==== 2 warnings in 24.50s ====") is pytest's: CI reads such a line as a test runner's verdict,
 * one that ran no test, so the banner is rewritten here and never printed as it is.
 */
function summaryOf(output: string): string {
  const cases = /Test cases:\s*\n\s*(.+)/.exec(output)?.[1]?.trim() ?? 'no summary';
  const ending = /=+ (.+) in ([0-9.]+)s =+\s*$/m.exec(output);
  return `${cases}${ending ? ` (${ending[1]}, ${ending[2]} s)` : ''}`;
}

async function runSchemathesis(st: string, url: string, run: (typeof runs)[number], token: string): Promise<{ ok: boolean; summary: string }> {
  const dir = join(reportDir, run.name);
  mkdirSync(dir, { recursive: true });
  const args = [
    '--config-file', join(root, 'scripts/fuzz/schemathesis.toml'),
    ...(process.stdout.isTTY ? [] : ['--no-color']),
    'run', `${url}/api/openapi.json`,
    '--header', `Authorization: Bearer ${token}`,
    '--checks', 'all',
    '--max-examples', String(budget.examples),
    ...(budget.maxTimeSeconds ? ['--max-time', String(budget.maxTimeSeconds)] : []),
    '--seed', seed,
    '--workers', '2',
    '--request-timeout', '15',
    '--generation-database', ':memory:',
    '--report', 'junit,har',
    '--report-dir', dir,
    ...run.filter,
  ];
  // Live on a terminal (`npm run fuzz`); otherwise (npm test, CI) into a log, shown indented when the run fails: its
  // pytest-style banners would otherwise be read by CI as the closing line of a test run that ran nothing.
  const live = !quick && process.stdout.isTTY;
  const child = spawn(st, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (live) process.stdout.write(chunk);
    });
  }
  const killer = setTimeout(() => {
    process.stdout.write(`[fuzz] run ${run.name} exceeded ${budget.killAfterSeconds} s: stopping it\n`);
    child.kill('SIGKILL');
  }, budget.killAfterSeconds * 1_000);
  const code = await new Promise<number>((done) => child.on('close', (status) => done(status ?? 1)));
  clearTimeout(killer);
  const log = join(dir, 'schemathesis.log');
  writeFileSync(log, output);
  if (!live) {
    if (code !== 0) process.stdout.write(output.replace(/^/gm, '[fuzz] | '));
    say(`run ${run.name}: Schemathesis' output in ${log}`);
  }
  return { ok: code === 0, summary: summaryOf(output) };
}

async function main(): Promise<void> {
  const installed = spawnSync('bash', [join(root, 'scripts/fuzz/install-schemathesis.sh')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (installed.status !== 0) throw new Error('Schemathesis could not be installed (see above)');
  const st = installed.stdout.trim().split('\n').at(-1) as string;

  // A platform of its own: fresh databases, free ports (a developer's `npm start` may hold the usual ones), and the
  // limits out of the way: the fuzzer sends thousands of requests as one user, and 429 would hide what it looks for.
  const ports = { PORT: await freePort(), ORDER_PORT: await freePort(), INVENTORY_PORT: await freePort(), PAYMENT_PORT: await freePort(), NOTIFICATION_PORT: await freePort(), PROVIDER_PORT: await freePort() };
  const dataDir = mkdtempSync(join(tmpdir(), 'saga-fuzz-'));
  const url = `http://127.0.0.1:${ports.PORT}`;
  const platform = spawn(process.execPath, ['-r', join(root, 'scripts/exit-with-parent.js'), join(root, 'platform/embedded/dist/main.js')], {
    cwd: root,
    env: {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
      SAGA_DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      DEMO_USERS_ENABLED: 'true',
      FAULTS_ENABLED: 'true',
      RATE_LIMIT_MAX: '10000000',
      AUTH_RATE_LIMIT_MAX: '10000000',
      LOG_LEVEL: 'warn',
      // GET /api/orders/stream is a live stream: bounded here, so every request the fuzzer sends gets a whole answer.
      ORDER_STREAM_MAX_MS: '1000',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let platformErrors = '';
  platform.stderr?.on('data', (chunk: Buffer) => {
    platformErrors = (platformErrors + chunk.toString()).slice(-20_000);
  });
  const stop = async () => {
    if (platform.exitCode === null) {
      platform.kill('SIGTERM');
      await new Promise<void>((done) => {
        const timer = setTimeout(done, 3_000);
        platform.once('exit', () => {
          clearTimeout(timer);
          done();
        });
      });
      if (platform.exitCode === null) platform.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));

  const results: { name: string; ok: boolean; summary: string }[] = [];
  try {
    say(`embedded platform on ${url} (data in ${dataDir}); ${quick ? 'quick' : 'deep'} run: ${budget.examples} examples per operation${budget.maxTimeSeconds ? `, fuzzing for ${budget.maxTimeSeconds} s per run` : ''}, seed ${seed}`);
    await waitReady(url, platform, 120_000);
    for (const run of runs) {
      say(`run ${run.name}: as ${run.user}`);
      const token = await tokenFor(url, run.user, run.password);
      results.push({ name: run.name, ...(await runSchemathesis(st, url, run, token)) });
      if (platform.exitCode !== null) throw new Error(`the embedded platform died during run ${run.name} (exit ${platform.exitCode}):\n${platformErrors}`);
    }
  } finally {
    await stop();
  }
  // For npm test's closing summary (scripts/test-summary.ts).
  mkdirSync(join(root, '.local/test-results'), { recursive: true });
  writeFileSync(join(root, '.local/test-results/fuzz.json'), JSON.stringify({ seed, runs: results }, null, 2));
  say(`summary (seed ${seed}; reports in ${reportDir}/<run>/):`);
  for (const result of results) say(`  ${result.ok ? 'passed' : 'FAILED'}  ${result.name}: ${result.summary}`);
  if (results.some((result) => !result.ok)) {
    say(`reproduce with FUZZ_SEED=${seed}${quick ? ' npm run fuzz -- --quick' : ' npm run fuzz'}, or each failure's curl line above`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  say(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
