// The saga console in Debian's Chromium against `npm start` (the embedded platform, on free ports): alice's order turns
// APPROVED by itself (SSE), admin's charge fault makes an order compensate (RELEASE_STOCK, then CANCEL_ORDER) and end
// CANCELLED, admin's system view shows every service up, re-drives a dead letter, stock per SKU and the money invariant
// balanced; axe-core finds no serious or critical violation; screenshots in .local/screenshots/.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { eventually } from '@saga/resilience';
import { launchChromium, seriousViolations } from './chromium';

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
  if (!existsSync(join(root, 'platform/embedded/dist/main.js'))) throw new Error('platform/embedded/dist is missing: run `npx tsc -b` first');
  const ports = { PORT: await freePort(), ORDER_PORT: await freePort(), INVENTORY_PORT: await freePort(), PAYMENT_PORT: await freePort(), NOTIFICATION_PORT: await freePort(), PROVIDER_PORT: await freePort() };
  dataDir = mkdtempSync(join(tmpdir(), 'saga-console-'));
  origin = `http://127.0.0.1:${ports.PORT}`;
  platform = spawn(process.execPath, ['-r', join(root, 'scripts/exit-with-parent.js'), join(root, 'platform/embedded/dist/main.js')], {
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
    await faults.getByRole('button', { name: 'Refresh', exact: true }).click();
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

  it('admin sees the system: every service up, a dead letter re-driven, stock per SKU, the money invariant balanced', async () => {
    const { page, errors, foreign } = await consolePage();
    await page.goto(`${origin}/`);
    await signInAs(page, 'admin');
    const token = await page.evaluate(() => (JSON.parse(sessionStorage.getItem('saga-console.session') ?? '{}') as { token?: string }).token);
    const read = async <T,>(path: string): Promise<T> => (await fetch(`${origin}${path}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<T>;
    const system = page.locator('system-panel');
    for (const service of ['order', 'inventory', 'payment', 'notification']) {
      await system.locator(`tr[data-service="${service}"]`).getByTestId('service-state').filter({ hasText: /^up$/ }).waitFor({ timeout: 15_000 });
    }
    expect(await system.getByTestId('system-headline').innerText()).toMatch(/^All 4 services up, every breaker closed/);
    expect(await system.locator('tr[data-service="payment"]').innerText()).toContain('payment → payment-provider: closed');

    // inventory's consumer fails 8 times (its whole retry budget): the OrderCreated of a choreographed order is dead-lettered.
    const faults = page.locator('fault-panel');
    await faults.getByLabel('Service').selectOption('inventory');
    // inventory's own operations listed (payment has a `consumer` too, but no `reserve`)
    await faults.getByLabel('Operation').locator('option[value="reserve"]').waitFor({ state: 'attached' });
    await faults.getByLabel('Operation').selectOption('consumer');
    await faults.getByLabel('Effect').selectOption('error');
    await faults.getByLabel('Times').fill('8');
    await faults.getByRole('button', { name: 'Add rule' }).click();
    // What the panel says about the rule: added, or refused and why (e.g. a 429 when the page's own reads ran out the
    // admin's rate limit). The rule's row may already be gone if other deliveries used up its 8 times.
    const verdict = faults.getByRole('status').filter({ hasText: /^(Rule added|Refused|The rule)/ });
    await verdict.waitFor({ timeout: 15_000 });
    expect(await verdict.innerText()).toBe('Rule added: inventory consumer → error.');
    await page.getByLabel(/choreography/).check();
    await page.getByRole('button', { name: 'Place order', exact: true }).click();
    await page.locator('section.saga').waitFor({ timeout: 20_000 });
    const redrivenOrder = (await page.locator('section.saga').getAttribute('data-order-id')) as string;
    // A letter changes no order (the stream says nothing): it shows up on Refresh, with its re-drive button.
    const letters = system.getByTestId('dead-letters');
    await eventually(async () => {
      await system.getByRole('button', { name: 'Refresh system view' }).click();
      await letters.getByRole('row', { name: /OrderCreated/ }).waitFor({ timeout: 1_000 });
    }, 30_000, 1_000);
    expect(await system.locator('tr[data-service="inventory"]').innerText()).toContain('1 waiting');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'console-dead-letter.png'), fullPage: true });
    await letters.getByRole('button', { name: /Re-drive the OrderCreated letter/ }).click();
    // Re-driven, the saga goes on: reserved, charged, APPROVED, long before its 30 s choreography deadline.
    await page.locator(`tr[data-order-id="${redrivenOrder}"]`).getByTestId('order-status').filter({ hasText: 'APPROVED' }).waitFor({ timeout: 20_000 });
    await system.getByTestId('no-dead-letters').waitFor({ timeout: 10_000 });

    // A declined card: the order is cancelled and the provider holds nothing for it.
    await page.getByLabel(/orchestration/).check();
    await page.getByLabel('Card (test token)').selectOption('tok_chargeDeclined');
    await page.getByRole('button', { name: 'Place order', exact: true }).click();
    await eventually(async () => expect(await page.locator('section.saga').getAttribute('data-order-id', { timeout: 1_000 }).catch(() => redrivenOrder)).not.toBe(redrivenOrder), 20_000, 200);
    await page.getByTestId('detail-status').filter({ hasText: 'CANCELLED' }).waitFor({ timeout: 30_000 });
    await eventually(async () => expect(await page.locator('table.orders [data-testid="order-status"]', { hasText: 'PENDING' }).count()).toBe(0), 30_000, 200);

    // The money invariant of the orders on screen (the admin's own), against totals the test reads from the API itself.
    const shown = await page.locator('table.orders tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-order-id')));
    const mine = (await read<{ items: { orderId: string; status: string; totalCents: number }[] }>('/api/orders?limit=50')).items;
    expect(mine.map((order) => order.orderId).sort()).toEqual([...shown].sort());
    const approved = mine.filter((order) => order.status === 'APPROVED').reduce((sum, order) => sum + order.totalCents, 0);
    const books = await Promise.all(mine.map((order) => read<{ items: { amountCents: number; refundedCents: number; status: string }[] }>(`/api/admin/provider/charges?orderId=${order.orderId}`)));
    const held = books.flatMap((book) => book.items).filter((charge) => charge.status !== 'DECLINED').reduce((sum, charge) => sum + charge.amountCents - charge.refundedCents, 0);
    expect(approved).toBeGreaterThan(0);
    expect(held).toBe(approved);
    const euros = (cents: number) => `€${(cents / 100).toFixed(2)}`;
    await system.locator('[data-testid="money-state"][data-state="balanced"]').waitFor({ timeout: 15_000 });
    expect(await system.getByTestId('money-approved').innerText()).toBe(euros(approved));
    expect(await system.getByTestId('money-net').innerText()).toBe(euros(held));

    // Stock per SKU, as inventory's catalog has it after these orders (re-read after orders change, and on Refresh).
    const catalog = (await read<{ items: { sku: string; available: number }[] }>('/api/inventory/products')).items;
    expect(catalog.length).toBeGreaterThan(0);
    await system.getByRole('button', { name: 'Refresh system view' }).click();
    await eventually(async () => {
      const rows = await system.getByTestId('stock').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-sku'), tr.querySelector('td.num')?.textContent]));
      expect(rows).toEqual(catalog.map((product) => [product.sku, String(product.available)]));
    }, 10_000, 200);
    for (const service of ['order', 'inventory', 'payment', 'notification']) {
      expect(await system.locator(`tr[data-service="${service}"]`).getByTestId('service-state').innerText()).toBe('up');
    }
    expect(await seriousViolations(page)).toEqual([]);
    await system.screenshot({ path: join(screenshots, 'console-system.png') });
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.context().close();
  });
});
