// Resident memory of the embedded platform (`npm start`: gateway + every service in one process) after N orders through its gateway.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { OrderStatus, Product, SagaMode } from '../e2e/support/order-client';
import { freePort, ServiceProcess } from '../e2e/support/service-process';
import { childEnv, login, procStatusMb, repoRoot } from './bench-process';

export interface EmbeddedOptions {
  orders: number;
  /** Orders in flight at once while placing them (a client pool, not a burst). */
  concurrency: number;
  /** Give up waiting for the sagas to end after this long. */
  settleTimeoutMs: number;
}

export interface EmbeddedResult {
  orders: number;
  approved: number;
  cancelled: number;
  /** Placed but still PENDING at the timeout (0 when the run completed). */
  pending: number;
  /** First POST → every order seen APPROVED or CANCELLED (to the poll interval). */
  wallMs: number;
  ordersPerSecond: number;
  rssMb: number;
  /** Resident right after /health/ready, before any order: what the orders added is rssMb minus this. */
  rssAtReadyMb: number;
  /** Highest resident size the process reached (VmHWM). */
  peakRssMb: number;
  restocked: number;
}

const SKU = 'SKU-APPLE';
/** Per request, as the inventory's restock route allows. */
const MAX_RESTOCK = 1_000_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Api {
  get<T>(path: string, token: string): Promise<T>;
  post<T>(path: string, token: string, body: unknown, expect: number): Promise<T>;
}

function apiOf(baseUrl: string): Api {
  const call = async <T>(method: string, path: string, token: string, body: unknown, expect: number): Promise<T> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status !== expect) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };
  return {
    get: (path, token) => call('GET', path, token, undefined, 200),
    post: (path, token, body, expect) => call('POST', path, token, body, expect),
  };
}

/** Runs `work` over `items` with at most `limit` calls in flight. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Enough stock for every order to reserve (so cancellations come from the saga, not from an empty shelf), within
 * the restock route's per-request maximum; the inventory's own ceiling (MAX_AVAILABLE) is far above what this adds.
 */
async function restockFor(api: Api, adminToken: string, aliceToken: string, orders: number): Promise<number> {
  const { items } = await api.get<{ items: Product[] }>('/api/inventory/products', aliceToken);
  const product = items.find((item) => item.sku === SKU);
  if (!product) throw new Error(`${SKU} is not in the catalog: ${items.map((item) => item.sku).join(', ')}`);
  let missing = orders - product.available;
  let added = 0;
  while (missing > 0) {
    const quantity = Math.min(missing, MAX_RESTOCK);
    await api.post('/api/admin/restock', adminToken, { sku: SKU, quantity }, 200);
    missing -= quantity;
    added += quantity;
  }
  return added;
}

/**
 * Spawns platform/embedded/dist/main.js on free ports with a fresh data directory, places the orders through its
 * gateway (alternating saga modes), waits for every saga to settle, reads the process's memory, then stops it and
 * deletes the data. The load comes from this process, so the embedded one holds only the platform's own memory.
 */
export async function measureEmbeddedMemory(options: EmbeddedOptions): Promise<EmbeddedResult> {
  const run = randomBytes(4).toString('hex');
  const dataDir = join(repoRoot, '.local', `bench-embedded-${run}`);
  // The log outlives the data directory, so a failed run can still be read.
  const logDir = join(repoRoot, '.local/logs/bench');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const [port, order, inventory, payment, notification, provider] = await Promise.all(Array.from({ length: 6 }, () => freePort()));
  const platform = new ServiceProcess({
    name: 'embedded',
    script: join(repoRoot, 'platform/embedded/dist/main.js'),
    port: port!,
    env: childEnv({
      PORT: String(port),
      ORDER_PORT: String(order),
      INVENTORY_PORT: String(inventory),
      PAYMENT_PORT: String(payment),
      NOTIFICATION_PORT: String(notification),
      PROVIDER_PORT: String(provider),
      HOST: '127.0.0.1',
      SAGA_DATA_DIR: dataDir,
      RATE_LIMIT_MAX: '100000000',
      LOG_LEVEL: 'warn',
      // One token serves the whole run: the default 15 min could expire on a slow machine.
      JWT_TTL_S: '7200',
    }),
    logFile: join(logDir, `embedded-${run}.log`),
  });
  platform.start();
  try {
    // PGlite creates and migrates five databases (the provider has its own) on first start: slower than a service on PostgreSQL.
    await platform.waitReady(120_000);
    const rssAtReadyMb = procStatusMb(platform.pid!, 'VmRSS');
    const api = apiOf(platform.url);
    const alice = await login(platform.url, 'alice', 'alice-secret');
    const admin = await login(platform.url, 'admin', 'admin-secret');
    const restocked = await restockFor(api, admin, alice, options.orders);

    const started = Date.now();
    const modes: SagaMode[] = ['orchestration', 'choreography'];
    const orderIds = await pool(Array.from({ length: options.orders }, (_, i) => modes[i % 2]!), options.concurrency, async (sagaMode) => {
      const placed = await api.post<{ orderId: string }>('/api/orders', alice, { items: [{ sku: SKU, quantity: 1 }], sagaMode }, 202);
      return placed.orderId;
    });

    // Sweep the pending orders until none is left; each sweep reads them with the same bounded concurrency.
    const final = new Map<string, OrderStatus>();
    let pending = orderIds;
    const deadline = Date.now() + options.settleTimeoutMs;
    while (pending.length > 0 && Date.now() < deadline) {
      const statuses = await pool(pending, options.concurrency, (id) => api.get<{ status: OrderStatus }>(`/api/orders/${id}`, alice));
      statuses.forEach((order, i) => {
        if (order.status !== 'PENDING') final.set(pending[i]!, order.status);
      });
      pending = pending.filter((id) => !final.has(id));
      if (pending.length > 0) await sleep(250);
    }
    const wallMs = Date.now() - started;
    const pid = platform.pid;
    if (pid === undefined) throw platform.failure('exited during the run');
    const statuses = [...final.values()];
    return {
      orders: options.orders,
      approved: statuses.filter((s) => s === 'APPROVED').length,
      cancelled: statuses.filter((s) => s === 'CANCELLED').length,
      pending: pending.length,
      wallMs,
      ordersPerSecond: options.orders / (wallMs / 1000),
      rssMb: procStatusMb(pid, 'VmRSS'),
      rssAtReadyMb,
      peakRssMb: procStatusMb(pid, 'VmHWM'),
      restocked,
    };
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${platform.failure('during the embedded memory bench').message}`, { cause: error });
  } finally {
    await platform.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function printEmbedded(result: EmbeddedResult, options: EmbeddedOptions): void {
  console.log(`\nembedded platform (one process, PGlite + in-memory brokers): ${result.orders} orders through its gateway, alternating saga modes, ${options.concurrency} in flight`);
  if (result.restocked > 0) console.log(`  restocked ${SKU} by ${result.restocked} first`);
  console.log(`  approved ${result.approved}  cancelled ${result.cancelled}${result.pending > 0 ? `  STILL PENDING ${result.pending} after ${options.settleTimeoutMs / 1000} s` : ''}`);
  console.log(`  wall time ${(result.wallMs / 1000).toFixed(1)} s = ${result.ordersPerSecond.toFixed(1)} orders/s (first POST → all settled)`);
  console.log(`  resident memory after the run ${result.rssMb.toFixed(0)} MB (target ≤ 300 MB); ${result.rssAtReadyMb.toFixed(0)} MB when it became ready, peak ${result.peakRssMb.toFixed(0)} MB`);
}
