// `npm run demo`: a terminal walkthrough. Starts the embedded platform, places an order in each saga mode, makes the
// payment step fail on purpose, and prints each order's saga as it unfolds: steps, compensations, timings.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, ServiceProcess } from '../test/e2e/support/service-process';

const root = resolve(__dirname, '..');
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const colourOf = (status: string) => (!process.stdout.isTTY ? (s: string) => s : status === 'FAILED' || status === 'TIMED_OUT' ? (s: string) => `\x1b[31m${s}\x1b[0m` : (s: string) => `\x1b[32m${s}\x1b[0m`);

interface HistoryEntry {
  step: string;
  status: string;
  at: string;
  detail?: string;
}

async function call<T>(api: string, method: string, path: string, authorization?: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { ...(authorization && { authorization }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as T };
}

async function login(api: string, username: string): Promise<string> {
  const answer = await call<{ access_token: string }>(api, 'POST', '/auth/token', undefined, { username, password: `${username}-secret` });
  return `Bearer ${answer.body.access_token}`;
}

/** Places the order, then prints each new history entry as it appears, with the time since the POST. */
async function watchOrder(api: string, alice: string, title: string, order: object): Promise<void> {
  console.log(`\n${bold(title)}`);
  const started = Date.now();
  const placed = await call<{ orderId: string; totalCents: number }>(api, 'POST', '/api/orders', alice, order);
  if (placed.status !== 202) throw new Error(`POST /api/orders answered ${placed.status}: ${JSON.stringify(placed.body)}`);
  console.log(`  order ${placed.body.orderId} accepted (202 PENDING after ${Date.now() - started} ms), ${(placed.body.totalCents / 100).toFixed(2)} EUR; its saga, by the services' clocks:`);
  let shown = 0;
  let finalSeenAt: number | undefined;
  for (;;) {
    const view = await call<{ status: string; failureReason?: string; history: HistoryEntry[] }>(api, 'GET', `/api/orders/${placed.body.orderId}`, alice);
    for (const entry of view.body.history.slice(shown)) {
      const at = new Date(entry.at).getTime() - started;
      console.log(`  +${String(Math.max(0, at)).padStart(5)} ms  ${entry.step.padEnd(22)} ${colourOf(entry.status)(entry.status.padEnd(10))} ${entry.detail ?? ''}`);
    }
    shown = view.body.history.length;
    // The order turns final before its last step (the notification) is recorded: keep watching a moment longer.
    if (view.body.status !== 'PENDING') finalSeenAt ??= Date.now();
    if (finalSeenAt !== undefined && Date.now() - finalSeenAt > 300) {
      console.log(`  => ${bold(view.body.status)}${view.body.failureReason ? ` (${view.body.failureReason})` : ''}, seen ${finalSeenAt - started} ms after the POST`);
      return;
    }
    if (Date.now() - started > 30_000) throw new Error('the order did not finish within 30 s');
    await new Promise((r) => setTimeout(r, 40));
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'saga-demo-'));
  const port = await freePort();
  const ports = { ORDER_PORT: await freePort(), INVENTORY_PORT: await freePort(), PAYMENT_PORT: await freePort(), NOTIFICATION_PORT: await freePort(), PROVIDER_PORT: await freePort() };
  const platform = new ServiceProcess({
    name: 'embedded',
    script: join(root, 'platform/embedded/dist/main.js'),
    port,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), HOST: '127.0.0.1', SAGA_DATA_DIR: dataDir, LOG_LEVEL: 'error', FAULTS_ENABLED: 'true', DEMO_USERS_ENABLED: 'true', ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) },
    logFile: join(root, '.local/logs/demo.log'),
  });
  console.log('starting the platform in one process (npm start) …');
  platform.start();
  try {
    await platform.waitReady(60_000);
    const api = platform.url;
    const [alice, admin] = [await login(api, 'alice'), await login(api, 'admin')];
    const apples = { items: [{ sku: 'SKU-APPLE', quantity: 2 }, { sku: 'SKU-TEA', quantity: 1 }] };
    for (const sagaMode of ['orchestration', 'choreography'] as const) {
      await watchOrder(api, alice, `${sagaMode}: a normal order (T1 create, T2 reserve stock, T3 charge, T4 notify)`, { ...apples, sagaMode });
      const rule = await call<{ id: string }>(api, 'POST', '/api/admin/faults/payment', admin, { operation: 'charge', effect: 'error', times: 1 });
      console.log(`\n  admin: POST /api/admin/faults/payment {"operation":"charge","effect":"error","times":1} -> ${rule.status} rule ${rule.body.id}`);
      await watchOrder(api, alice, `${sagaMode}: the same order, its charge fails (watch C2 release stock, then C1 cancel, then C4 the notice)`, { ...apples, sagaMode });
    }
    console.log(`\nTry it yourself: npm start, then POST /api/admin/faults/{service} (README, "Break it").`);
  } finally {
    await platform.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
