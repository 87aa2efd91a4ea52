// `npm run compose:check`: the platform under a real Docker engine, as `docker compose up` runs it, from nothing to
// `down -v`: engine, Compose, forge images (where no registry is reachable), up --build --wait, the image's own checks,
// the smoke test, a fault rule and a payment stop/start with the saga invariants checked, the end-to-end gateway
// suites (jest's compose project) against the containers, one order's trace in Jaeger (every service on its path,
// one trace), then two replicas of each service found through the registry. `--if-possible` (the npm test stage)
// skips, saying why, where Docker cannot run.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const ifPossible = process.argv.includes('--if-possible');
const keep = process.argv.includes('--keep');
const project = process.env.COMPOSE_CHECK_PROJECT ?? 'saga-check';
const gateway = 'http://127.0.0.1:8080';
const baseFiles = ['-f', 'docker-compose.yml', '-f', 'infra/images/compose.forge.yml'];
const replicaFiles = [...baseFiles, '-f', 'docker-compose.replicas.yml'];
const started = Date.now();

const say = (line: string) => process.stdout.write(`[compose:check] ${line}\n`);
// Docker's, Compose's and the forge's own output (hundreds of progress lines per `up`) goes to a log file, so that
// npm test's output stays readable and ends with the results; a failure prints its tail. COMPOSE_CHECK_VERBOSE=1
// shows it all live instead.
const verbose = process.env.COMPOSE_CHECK_VERBOSE === '1';
const logFile = join(root, '.local/compose/compose-check.log');
const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;

class Skip extends Error {}

/** Runs a command; `capture` returns its stdout, `logged` sends its output to the log file (see `verbose`). */
function run(command: string, args: string[], options: SpawnSyncOptions & { capture?: boolean; logged?: boolean } = {}): string {
  const log = options.logged && !verbose ? openSync(logFile, 'a') : undefined;
  try {
    if (log !== undefined) writeFileSync(log, `\n$ ${command} ${args.join(' ')}\n`);
    const stdio: SpawnSyncOptions['stdio'] = options.capture ? ['ignore', 'pipe', log ?? 'inherit'] : log !== undefined ? ['ignore', log, log] : 'inherit';
    // Room for what a capture can hold: Jaeger's answer for 50 saga traces is several MB, and past spawnSync's default
    // of 1 MB the child is killed and the step fails with no word of why.
    const result = spawnSync(command, args, { cwd: root, stdio, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal}${result.error ? `: ${result.error.message}` : ''})`);
    return typeof result.stdout === 'string' ? result.stdout : '';
  } finally {
    if (log !== undefined) closeSync(log);
  }
}

/** The last lines of the log file, printed when a step failed. */
function printLogTail(lines = 60): void {
  if (verbose) return;
  const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines);
  say(`the last ${tail.length} lines of ${logFile}:`);
  process.stdout.write(`${tail.join('\n')}\n`);
}

const compose = (files: string[], ...args: string[]) => run('docker', ['compose', '-p', project, ...files, ...args], { logged: true });
const composeOut = (files: string[], ...args: string[]) => run('docker', ['compose', '-p', project, ...files, ...args], { capture: true, logged: true });

/** Docker can run here: as root (the forge installs and starts the engine), or with an engine already up. */
function ensureEngine(): void {
  const info = spawnSync('docker', ['info'], { stdio: 'ignore' });
  if (info.status === 0) return;
  if (process.getuid?.() !== 0) throw new Skip('no running Docker engine, and starting one needs root');
  try {
    run('bash', ['infra/images/forge.sh', 'engine'], { logged: true });
  } catch {
    printLogTail();
    throw new Skip(`the Docker engine could not be installed or started here (see ${logFile})`);
  }
}

/** The official images when a registry answers; otherwise the forge's stand-ins (test infrastructure, infra/images/). */
function ensureImages(): void {
  run('bash', ['infra/images/forge.sh', 'compose'], { logged: true });
  run('bash', ['infra/images/forge.sh', 'build'], { logged: true });
}

/**
 * One call through the gateway. A connection the server closed while idle (its keep-alive timeout, during a long
 * `compose up`) fails before any byte is sent: that is retried once. Orders carry an Idempotency-Key, so even a
 * retried POST places one order.
 */
async function call<T = Record<string, unknown>>(method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  try {
    return await callOnce<T>(method, path, token, body, headers);
  } catch (error) {
    if (!(error instanceof Error && /other side closed|ECONNRESET|socket hang up/.test(error.message))) throw error;
    return callOnce<T>(method, path, token, body, headers);
  }
}

async function callOnce<T>(method: string, path: string, token: string | undefined, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: T }> {
  const response = await fetch(`${gateway}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  }).catch((error: unknown) => {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new Error(`${method} ${path}: ${error instanceof Error ? error.message : String(error)}${cause}`);
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** A read that must succeed: retried while the answer is not 200 (a service just restarted may still be joining). */
async function read<T>(path: string, token: string): Promise<T> {
  return eventually(`GET ${path}`, 60_000, async () => {
    const answer = await call<T>('GET', path, token);
    if (answer.status !== 200) throw new Error(`answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
    return answer.body;
  });
}

async function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(500);
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s${last instanceof Error ? ` (${last.message})` : ''}`);
}

/** The image as shipped: non-root, healthy by its own HEALTHCHECK, no dev dependencies, and how big it is. */
function checkImage(): void {
  const gatewayContainer = composeOut(baseFiles, 'ps', '-q', 'gateway').trim().split('\n')[0] ?? '';
  const health = run('docker', ['inspect', '-f', '{{.State.Health.Status}}', gatewayContainer], { capture: true }).trim();
  const uid = run('docker', ['exec', gatewayContainer, 'id', '-u'], { capture: true }).trim();
  const modules = run('docker', ['exec', gatewayContainer, 'sh', '-c', 'ls node_modules; ls node_modules/@types 2>/dev/null || true'], { capture: true });
  const devOnly = ['typescript', 'jest', 'eslint', '@swc', 'supertest', 'playwright-core', 'autocannon'].filter((name) => modules.split('\n').includes(name));
  const size = Number(run('docker', ['image', 'inspect', '-f', '{{.Size}}', 'saga-platform:latest'], { capture: true }).trim());
  say(`image saga-platform:latest: ${(size / 1e6).toFixed(0)} MB, runs as uid ${uid}, gateway container ${health}, dev dependencies: ${devOnly.length ? devOnly.join(', ') : 'none'}`);
  if (health !== 'healthy' || uid === '0' || devOnly.length > 0) throw new Error('the image failed its checks (see the line above)');
}

interface Order {
  orderId: string;
  status: string;
  totalCents: number;
  items: { sku: string; quantity: number }[];
}

/** Stock, orders and money after a disturbance: every order final, stock moved by exactly the approved lines, and the provider's books match. */
async function checkInvariants(token: string, orderIds: string[], stockBefore: Map<string, number>): Promise<string> {
  const orders = await eventually('every order final', 120_000, async () => {
    const all = await Promise.all(orderIds.map((id) => read<Order>(`/api/orders/${id}`, token)));
    return all.every((order) => order.status === 'APPROVED' || order.status === 'CANCELLED') ? all : undefined;
  });
  const products = (await read<{ items: { sku: string; available: number }[] }>('/api/inventory/products', token)).items;
  const taken = new Map<string, number>();
  for (const order of orders.filter((o) => o.status === 'APPROVED')) for (const line of order.items) taken.set(line.sku, (taken.get(line.sku) ?? 0) + line.quantity);
  const stockProblems = [...stockBefore].filter(([sku, before]) => products.find((p) => p.sku === sku)?.available !== before - (taken.get(sku) ?? 0));
  const moneyProblems: string[] = [];
  for (const order of orders) {
    const charges = (await read<{ items: { amountCents: number; refundedCents: number; status: string }[] }>(`/api/admin/provider/charges?orderId=${order.orderId}`, token)).items;
    const net = charges.filter((c) => c.status !== 'DECLINED').reduce((sum, c) => sum + c.amountCents - c.refundedCents, 0);
    const expected = order.status === 'APPROVED' ? order.totalCents : 0;
    if (net !== expected) moneyProblems.push(`${order.orderId} ${order.status}: provider net ${net}, expected ${expected}`);
  }
  if (stockProblems.length || moneyProblems.length) throw new Error(`invariants broken: stock ${JSON.stringify(stockProblems)}; money ${moneyProblems.join('; ')}`);
  const approved = orders.filter((o) => o.status === 'APPROVED').length;
  return `${orders.length} orders final (${approved} approved, ${orders.length - approved} cancelled), stock and the provider's books agree`;
}

async function stock(token: string): Promise<Map<string, number>> {
  const products = (await read<{ items: { sku: string; available: number }[] }>('/api/inventory/products', token)).items;
  return new Map(products.map((p) => [p.sku, p.available]));
}

async function place(token: string, sagaMode: string, paymentToken?: string): Promise<string> {
  const body = { items: [{ sku: 'SKU-APPLE', quantity: 1 }], sagaMode, ...(paymentToken ? { paymentToken } : {}) };
  const placed = await call<{ orderId: string }>('POST', '/api/orders', token, body, { 'idempotency-key': randomUUID() });
  if (placed.status !== 202) throw new Error(`POST /api/orders answered ${placed.status} ${JSON.stringify(placed.body)}`);
  return placed.body.orderId;
}

/** Returns the id of a calm orchestrated order it placed last (no fault, no outage): its trace is looked up in Jaeger. */
/** The saga console is in the image and served at / by the gateway: the page, its script, the Content-Security-Policy. */
async function consoleServed(): Promise<void> {
  const page = await fetch(`${gateway}/`, { signal: AbortSignal.timeout(10_000) });
  const html = await page.text();
  const script = /<script type="module"[^>]* src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  const csp = page.headers.get('content-security-policy') ?? '';
  if (page.status !== 200 || !script || !csp.includes("script-src 'self'")) throw new Error(`GET / answered ${page.status} without the console (script ${script ?? 'none'}, CSP "${csp}")`);
  const asset = await fetch(`${gateway}${script}`, { signal: AbortSignal.timeout(10_000) });
  const bytes = (await asset.arrayBuffer()).byteLength;
  if (asset.status !== 200) throw new Error(`GET ${script} answered ${asset.status}`);
  say(`saga console served at ${gateway}/: ${script} (${Math.round(bytes / 1024)} kB), CSP set`);
}

async function acceptance(): Promise<string> {
  await consoleServed();
  const password = composeOut(baseFiles, 'exec', '-T', 'gateway', 'cat', '/secrets/admin-password').trim();
  run(process.execPath, ['-r', './scripts/ts-register.js', 'scripts/smoke.ts', gateway], { env: { ...process.env, SMOKE_USER: 'admin', SMOKE_PASSWORD: password } });
  const login = await call<{ access_token: string }>('POST', '/auth/token', undefined, { username: 'admin', password });
  const token = login.body.access_token;

  // A fault rule through the gateway: payment's next charge fails, so that order is compensated (C2 then C1).
  const before = await stock(token);
  const rule = await call('POST', '/api/admin/faults/payment', token, { operation: 'charge', effect: 'error', times: 1 });
  if (rule.status !== 201) throw new Error(`adding a fault rule answered ${rule.status} ${JSON.stringify(rule.body)}`);
  const faulted = await place(token, 'orchestration');
  // A rule lives in the memory of the process that holds it: the stop below would take an unfired one with it (and
  // that order would then be charged). So payment is stopped once the rule has fired, as its own API tells: a rule
  // whose `times` ran out leaves the list.
  const ruleId = (rule.body as { id: string }).id;
  await eventually(`fault rule ${ruleId} fired on payment`, 60_000, async () => {
    const rules = await read<{ items: { id: string }[] }>('/api/admin/faults/payment', token);
    return rules.items.some((r) => r.id === ruleId) ? undefined : true;
  });
  // Payment stopped mid-flow: orders placed meanwhile wait in the queues, and finish once it is back.
  compose(baseFiles, 'stop', 'payment');
  const whileStopped = [await place(token, 'orchestration'), await place(token, 'choreography'), await place(token, 'orchestration', 'tok_chargeDeclined')];
  await sleep(3_000);
  compose(baseFiles, 'start', 'payment');
  say(`fault rule + payment stop/start: ${await checkInvariants(token, [faulted, ...whileStopped], before)}`);
  const faultedOrder = await read<Order & { history: { step: string }[] }>(`/api/orders/${faulted}`, token);
  const steps = faultedOrder.history.map((h) => h.step);
  if (faultedOrder.status !== 'CANCELLED' || !steps.includes('RELEASE_STOCK') || !steps.includes('CANCEL_ORDER')) throw new Error(`the faulted order did not compensate: ${faultedOrder.status} ${steps.join(',')}`);
  // One order with nothing in its way, so that its trace is the plain journey (a saga resend during the outage would be
  // started by a timer, outside any trace): gateway -> order -> inventory -> payment -> notification.
  const calm = await place(token, 'orchestration');
  const calmOrder = await eventually(`order ${calm} approved`, 60_000, async () => {
    const order = await read<Order>(`/api/orders/${calm}`, token);
    return order.status === 'APPROVED' ? order : undefined;
  });
  gatewaySuites(password);
  return calmOrder.orderId;
}

/** What Jaeger's query API (GET /api/traces) answers: traces, each with its spans and the processes (services) that sent them. */
interface JaegerTraces {
  data?: { traceID: string; spans: { spanID: string; processID: string }[]; processes: Record<string, { serviceName: string }> }[];
}

/** The services an orchestrated saga passes through: the gateway's request, then every command and reply. */
const tracedServices = ['gateway', 'order', 'inventory', 'payment', 'notification'];

/**
 * Where the fact lives: Jaeger (compose's own, fed over OTLP/HTTP by every process) holds the order's journey as ONE
 * trace with spans from every service on its path. Found by the order id every message span carries (saga.order_id),
 * asked inside the container, so the check does not depend on the published UI port.
 */
async function jaegerHasTheTrace(orderId: string): Promise<void> {
  const query = (search: string) => {
    const out = composeOut(baseFiles, 'exec', '-T', 'jaeger', 'wget', '-qO-', `http://127.0.0.1:16686/api/traces?${search}`);
    return (JSON.parse(out) as JaegerTraces).data ?? [];
  };
  const tags = encodeURIComponent(JSON.stringify({ 'saga.order_id': orderId }));
  const servicesOf = (trace: NonNullable<JaegerTraces['data']>[number]) => {
    const perService = new Map<string, number>();
    for (const span of trace.spans) {
      const service = trace.processes[span.processID]?.serviceName ?? '?';
      perService.set(service, (perService.get(service) ?? 0) + 1);
    }
    return perService;
  };
  // The SDK exports in batches (every 5 s by default): wait until the last service's spans arrived. One trace must
  // hold them all: a link lost anywhere (a header, the outbox) would leave that hop's spans in a trace of their own.
  const found = await eventually(`one trace of order ${orderId} in Jaeger with spans from ${tracedServices.join(', ')}`, 60_000, async () => {
    const traces = query(`service=order&limit=50&tags=${tags}`);
    if (traces.length === 0) throw new Error('no trace mentions the order yet');
    const whole = traces.find((t) => tracedServices.every((service) => servicesOf(t).has(service)));
    if (!whole) throw new Error(`no single trace has spans from all of them: ${traces.map((t) => `${t.traceID} (${[...servicesOf(t).keys()].join(', ')})`).join('; ')}`);
    return { trace: whole, mentioning: traces.length };
  });
  const perService = servicesOf(found.trace);
  const services = [...perService].sort(([a], [b]) => a.localeCompare(b)).map(([service, count]) => `${service} ${count}`);
  const orderTraces = query('service=order&limit=50').length;
  say(
    `jaeger: order ${orderId}: trace ${found.trace.traceID} holds ${found.trace.spans.length} spans from ${perService.size} services (${services.join(', ')}); ` +
      `${found.mentioning} trace(s) carry its saga.order_id; ${orderTraces} traces of service order found (limit 50)`,
  );
}

/**
 * The end-to-end gateway suites (test/e2e/support, as in the process and embedded modes) against these containers:
 * jest's compose project, with the gateway's own signing key (from its secrets volume) so the suites can mint tokens
 * for alice and bob, as an external issuer would.
 */
function gatewaySuites(adminPassword: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'compose-check-'));
  const keyFile = join(dir, 'jwt-signing-key.pem');
  try {
    writeFileSync(keyFile, composeOut(baseFiles, 'exec', '-T', 'gateway', 'cat', '/secrets/jwt-signing-key.pem'), { mode: 0o600 });
    run('npx', ['jest', '--ci', '--runInBand', '--selectProjects', 'compose', '--json', '--outputFile', join(root, '.local/test-results/compose.json')], {
      env: { ...process.env, COMPOSE_GATEWAY_URL: gateway, COMPOSE_ARGS: ['-p', project, ...baseFiles].join(' '), COMPOSE_ADMIN_PASSWORD: adminPassword, SAGA_TEST_SIGNING_KEY_FILE: keyFile },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function replicas(): Promise<void> {
  compose(replicaFiles, 'up', '--build', '--wait', '--wait-timeout', '600');
  const password = composeOut(baseFiles, 'exec', '-T', 'gateway', 'cat', '/secrets/admin-password').trim();
  const token = (await call<{ access_token: string }>('POST', '/auth/token', undefined, { username: 'admin', password })).body.access_token;
  // The registry (the Consul stand-in) must list two passing instances of each service.
  for (const service of ['order', 'inventory', 'payment', 'notification']) {
    await eventually(`two passing ${service} instances in the registry`, 60_000, async () => {
      const listing = composeOut(baseFiles, 'exec', '-T', 'gateway', 'node', '-e', `fetch('http://consul:8500/v1/health/service/${service}?passing=true').then((r) => r.text()).then((t) => console.log(t))`);
      return (JSON.parse(listing) as unknown[]).length === 2 ? true : undefined;
    });
  }
  const before = await stock(token);
  const orders: string[] = [];
  for (let i = 0; i < 12; i++) orders.push(await place(token, i % 2 ? 'choreography' : 'orchestration'));
  say(`replicas: ${await checkInvariants(token, orders, before)}`);
  // Spread: both order replicas placed some of them (the gateway picks healthy instances round robin).
  const logs = composeOut(replicaFiles, 'logs', '--no-color', 'order');
  const placedBy = new Set(logs.split('\n').filter((line) => line.includes('order placed; saga started')).map((line) => line.split('|')[0]?.trim()));
  if (placedBy.size < 2) throw new Error(`orders were placed by ${placedBy.size} order replica(s), expected both: ${[...placedBy].join(', ')}`);
  say(`replicas: orders spread over ${placedBy.size} order replicas (${[...placedBy].join(', ')})`);
  await prometheusSeesEveryReplica();
}

/** Prometheus (compose's own) scrapes every replica through docker DNS, and the orders show in the saga counters. */
async function prometheusSeesEveryReplica(): Promise<void> {
  const query = (promql: string) => {
    const out = composeOut(replicaFiles, 'exec', '-T', 'prometheus', 'wget', '-qO-', `http://127.0.0.1:9090/api/v1/query?query=${encodeURIComponent(promql)}`);
    const result = (JSON.parse(out) as { data: { result: { value: [number, string] }[] } }).data.result;
    return result.length === 0 ? 0 : Number(result[0]?.value[1]);
  };
  const targets = await eventually('Prometheus scraping two replicas of each service and the gateway', 60_000, async () => {
    const up = query('count(up == 1)');
    return up >= 11 ? up : undefined;
  });
  const completed = await eventually('the saga counters in Prometheus', 60_000, async () => {
    const total = query('sum(saga_completed_total)');
    return total >= 12 ? total : undefined;
  });
  say(`prometheus: ${targets} targets up (2 per service + the gateway), sum(saga_completed_total) = ${completed}`);
}

async function main(): Promise<void> {
  mkdirSync(join(root, '.local/compose'), { recursive: true });
  writeFileSync(logFile, '');
  if (!verbose) say(`Docker's and Compose's own output goes to ${logFile} (COMPOSE_CHECK_VERBOSE=1 shows it here)`);
  try {
    ensureEngine();
  } catch (error) {
    if (error instanceof Skip && ifPossible) {
      say(`skipped: ${error.message}. Run \`npm run compose:check\` on a machine where Docker can run.`);
      return;
    }
    throw error;
  }
  try {
    ensureImages();
  } catch (error) {
    printLogTail();
    throw error;
  }
  say(`engine, Compose and images ready (${elapsed()})`);
  try {
    compose(baseFiles, 'up', '--build', '--wait', '--wait-timeout', '600');
    say(`docker compose up --build --wait: every container healthy (${elapsed()})`);
    checkImage();
    const traced = await acceptance();
    say(`acceptance passed (${elapsed()})`);
    await jaegerHasTheTrace(traced);
    await replicas();
    say(`replicas passed (${elapsed()})`);
  } catch (error) {
    printLogTail();
    spawnSync('docker', ['compose', '-p', project, ...replicaFiles, 'ps', '-a'], { cwd: root, stdio: 'inherit' });
    spawnSync('docker', ['compose', '-p', project, ...replicaFiles, 'logs', '--no-color', '--tail', '40'], { cwd: root, stdio: 'inherit' });
    throw error;
  } finally {
    if (!keep) compose(replicaFiles, 'down', '-v', '--remove-orphans');
  }
  say(`passed in ${elapsed()}`);
}

main().catch((error: unknown) => {
  say(`FAILED after ${elapsed()}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
