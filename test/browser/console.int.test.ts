// The saga console in Debian's Chromium against `npm start` (the embedded platform, on free ports): alice's order turns
// APPROVED by itself (SSE), admin's charge fault makes an order compensate (RELEASE_STOCK, then CANCEL_ORDER) and end
// CANCELLED; axe-core finds no serious or critical violation; screenshots in .local/screenshots/.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { eventually } from '@saga/resilience';
import { launchChromium } from './chromium';

jest.setTimeout(180_000);

const root = join(__dirname, '../..');
const screenshots = join(root, '.local/screenshots');
/** docs/decisions/0023-saga-console.md: the console's JavaScript, gzipped. */
const BUNDLE_BUDGET_BYTES = 60 * 1024;

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

async function waitReady(origin: string, platform: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (platform.exitCode !== null) throw new Error(`the embedded platform exited (${platform.exitCode}):\n${output()}`);
    const ready = await fetch(`${origin}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status === 200, () => false);
    if (ready) return;
    await new Promise((done) => setTimeout(done, 500));
  }
  throw new Error(`the embedded platform was not ready within 120 s:\n${output()}`);
}

/** axe-core from node_modules, evaluated in the page (DevTools evaluation, so the page's CSP stays as it is). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  // A string, run in the page: this project's types have no DOM.
  const violations = (await page.evaluate(
    'axe.run(document).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length })))',
  )) as { id: string; impact?: string; help: string; nodes: number }[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes} nodes)`);
}

let platform: ChildProcess;
let dataDir: string;
let origin: string;
let browser: Browser;
let platformOutput = '';

beforeAll(async () => {
  // npm test builds console/dist before jest; a test run on its own builds it here (about a second).
  if (!existsSync(join(root, 'console/dist/index.html'))) {
    const built = spawnSync(process.execPath, [require.resolve('vite/bin/vite.js'), 'build', 'console', '--logLevel', 'warn'], { cwd: root, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`vite build failed:\n${built.stderr}`);
  }
  if (!existsSync(join(root, 'gateway/dist/embedded/main.js'))) throw new Error('gateway/dist is missing: run `npx tsc -b` first');
  const ports = { PORT: await freePort(), ORDER_PORT: await freePort(), INVENTORY_PORT: await freePort(), PAYMENT_PORT: await freePort(), NOTIFICATION_PORT: await freePort(), PROVIDER_PORT: await freePort() };
  dataDir = mkdtempSync(join(tmpdir(), 'saga-console-'));
  origin = `http://127.0.0.1:${ports.PORT}`;
  platform = spawn(process.execPath, ['-r', join(root, 'scripts/exit-with-parent.js'), join(root, 'gateway/dist/embedded/main.js')], {
    cwd: root,
    env: {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
      SAGA_DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      METRICS_PORT: '0',
      DEMO_USERS_ENABLED: 'true',
      FAULTS_ENABLED: 'true',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [platform.stdout, platform.stderr]) stream?.on('data', (chunk: Buffer) => (platformOutput = (platformOutput + chunk.toString()).slice(-20_000)));
  await waitReady(origin, platform, () => platformOutput);
  browser = await launchChromium();
  mkdirSync(screenshots, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (platform && platform.exitCode === null) {
    platform.kill('SIGTERM');
    await new Promise<void>((done) => {
      const timer = setTimeout(done, 5_000);
      platform.once('exit', () => {
        clearTimeout(timer);
        done();
      });
    });
    if (platform.exitCode === null) platform.kill('SIGKILL');
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A page that records console errors (CSP violations included) and refuses every request to another origin. */
async function consolePage(): Promise<{ page: Page; errors: string[]; foreign: string[]; listLoads: () => number; navigations: () => number }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const errors: string[] = [];
  const foreign: string[] = [];
  let listLoads = 0;
  let navigations = 0;
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request) => {
    if (/\/api\/orders\?limit=/.test(request.url())) listLoads += 1;
  });
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations += 1;
  });
  await page.route('**/*', (route) => {
    if (route.request().url().startsWith(origin)) return route.continue();
    foreign.push(route.request().url());
    return route.abort();
  });
  return { page, errors, foreign, listLoads: () => listLoads, navigations: () => navigations };
}

async function signInAs(page: Page, user: string): Promise<void> {
  await page.getByRole('button', { name: `Sign in as ${user}` }).click();
  await page.getByTestId('who').filter({ hasText: user }).waitFor();
  await page.getByTestId('stream-state').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
}

describe('the saga console', () => {
  it('keeps its JavaScript within the bundle budget', () => {
    const assets = join(root, 'console/dist/assets');
    const gzipped = readdirSync(assets).filter((file) => file.endsWith('.js')).reduce((sum, file) => sum + gzipSync(readFileSync(join(assets, file))).length, 0);
    expect(gzipped).toBeGreaterThan(0);
    expect(gzipped).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
  });

  it('alice places an order and sees it become APPROVED by itself (SSE), with no accessibility violation', async () => {
    const { page, errors, foreign, listLoads, navigations } = await consolePage();
    const started = Date.now();
    await page.goto(`${origin}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const firstRenderMs = Date.now() - started;
    expect(await seriousViolations(page)).toEqual([]);

    await signInAs(page, 'alice');
    await page.getByRole('table', { name: /Catalog/ }).getByRole('row').nth(1).waitFor();
    await page.getByRole('button', { name: 'Place order', exact: true }).click();
    // The new order is selected: its id is the row the saga panel shows.
    const saga = page.locator('section.saga');
    await saga.waitFor({ timeout: 20_000 });
    const orderId = (await saga.getAttribute('data-order-id')) as string;
    const row = page.locator(`tr[data-order-id="${orderId}"]`);
    await row.getByTestId('order-status').filter({ hasText: 'APPROVED' }).waitFor({ timeout: 30_000 });
    await page.getByTestId('detail-status').filter({ hasText: 'APPROVED' }).waitFor({ timeout: 10_000 });
    await page.locator('.step.done[data-step="NOTIFY_CONFIRMED"]').waitFor({ timeout: 10_000 });

    // 20 mixed orders (both modes, every test card): each one reaches a final status in the list by itself.
    await page.getByRole('button', { name: 'Place 20 mixed orders' }).click();
    await page.getByRole('status').filter({ hasText: /^20 placed/ }).waitFor({ timeout: 30_000 });
    const rows = page.locator('table.orders tbody tr');
    await eventually(async () => expect(await rows.count()).toBe(21), 10_000, 200);
    await eventually(async () => expect(await page.locator('table.orders [data-testid="order-status"]', { hasText: 'PENDING' }).count()).toBe(0), 60_000, 200);
    expect(await page.locator('table.orders [data-testid="order-status"]', { hasText: 'CANCELLED' }).count()).toBeGreaterThan(0);

    // A choreographed order: its Kafka events, with topic, partition and offset.
    await page.getByLabel(/choreography/).check();
    await page.getByRole('button', { name: 'Place order', exact: true }).click();
    await eventually(async () => expect(await page.locator('section.saga').getAttribute('data-order-id', { timeout: 1_000 }).catch(() => orderId)).not.toBe(orderId), 20_000, 200);
    await page.getByTestId('detail-status').filter({ hasText: 'APPROVED' }).waitFor({ timeout: 30_000 });
    const kafka = page.getByRole('table', { name: /Kafka events/ });
    await kafka.getByRole('row', { name: /OrderApproved/ }).waitFor({ timeout: 10_000 });
    expect(await kafka.innerText()).toContain('orders.events.v1');

    // Pushed, not reloaded: one page load, and the list read once (when the stream said it was live).
    expect(navigations()).toBe(1);
    expect(listLoads()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'console-customer.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    expect(firstRenderMs).toBeLessThan(5_000);
    process.stdout.write(`[console] first render (sign-in form) ${firstRenderMs} ms after navigation\n`);
    await page.context().close();
  });

  it('admin breaks the charge: the order compensates (RELEASE_STOCK, then CANCEL_ORDER) and ends CANCELLED; the rule is cleared', async () => {
    const { page, errors, foreign } = await consolePage();
    await page.goto(`${origin}/`);
    await signInAs(page, 'admin');
    const faults = page.locator('fault-panel');
    await faults.getByLabel('Service').selectOption('payment');
    await faults.getByLabel('Operation').locator('option[value="charge"]').waitFor({ state: 'attached' });
    await faults.getByLabel('Operation').selectOption('charge');
    await faults.getByLabel('Effect').selectOption('error');
    await faults.getByRole('button', { name: 'Add rule' }).click();
    const rules = page.getByTestId('fault-rules');
    await rules.getByRole('row', { name: /charge/ }).waitFor();

    await page.getByLabel(/orchestration/).check();
    await page.getByRole('button', { name: 'Place order', exact: true }).click();
    await page.getByTestId('detail-status').filter({ hasText: 'CANCELLED' }).waitFor({ timeout: 30_000 });
    const history = page.getByTestId('history');
    await history.locator('tr[data-step="NOTIFY_CANCELLED"]').first().waitFor({ timeout: 15_000 });
    const steps = await history.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-step')));
    const release = steps.indexOf('RELEASE_STOCK');
    const cancel = steps.indexOf('CANCEL_ORDER');
    expect(release).toBeGreaterThan(steps.indexOf('CHARGE_PAYMENT'));
    expect(cancel).toBeGreaterThan(release);
    await page.locator('.step.failed[data-step="CHARGE_PAYMENT"]').waitFor();
    await page.locator('.step.done[data-step="RELEASE_STOCK"]').waitFor();
    await page.locator('.step.done[data-step="CANCEL_ORDER"]').waitFor();
    const orderId = (await page.locator('section.saga').getAttribute('data-order-id')) as string;
    await page.locator(`tr[data-order-id="${orderId}"]`).getByTestId('order-status').filter({ hasText: 'CANCELLED' }).waitFor();
    // How often the rule fired: at least this order's charge.
    await page.getByRole('button', { name: 'Refresh' }).click();
    const fired = () => rules.getByRole('row', { name: /charge/ }).locator('td').nth(3).innerText();
    await eventually(async () => expect(Number(await fired())).toBeGreaterThanOrEqual(1), 10_000, 200);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'console-compensation.png'), fullPage: true });

    await faults.getByRole('button', { name: /Clear all payment rules/ }).click();
    await page.getByText('No active rule.').waitFor();
    const token = await page.evaluate(() => (JSON.parse(sessionStorage.getItem('saga-console.session') ?? '{}') as { token?: string }).token);
    const left = (await (await fetch(`${origin}/api/admin/faults/payment`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: unknown[] };
    expect(left.items).toEqual([]);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.context().close();
  });
});
