// `npm start` as a new user meets it: another program on a common port (3001), two platforms on two PORTs side by
// side, a taken PORT and a data folder in use refused with the variable that helps. Spawned from the built entry
// point in a scratch working directory, so its default folders (.local/embedded-<PORT>) land there.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { testSigningKeyPem } from '@saga/auth/testing';
import { gatewayCall, login, waitForFinalOrder } from './support/gateway-client';
import { freePort } from './support/service-process';

jest.setTimeout(240_000);

const entry = resolve(__dirname, '../../platform/embedded/dist/main.js');
const cwd = mkdtempSync(join(tmpdir(), 'saga-npm-start-'));
const started: ChildProcess[] = [];
let squatter: Server | undefined;

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function npmStart(env: Record<string, string>): Run {
  const child = spawn(process.execPath, [entry], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', JWT_SIGNING_KEY: testSigningKeyPem(), DEMO_USERS_ENABLED: 'true', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, output: () => output, exited };
}

async function ready(url: string, run: Run, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (run.child.exitCode !== null) throw new Error(`npm start exited (${run.child.exitCode}):\n${run.output()}`);
    const status = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status, () => 0);
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms:\n${run.output()}`);
}

/** Occupies 127.0.0.1:3001 as another program would, unless something already does. */
async function occupy3001(): Promise<Server | undefined> {
  const server = createServer();
  return new Promise((done) => {
    server.once('error', () => done(undefined));
    server.listen(3001, '127.0.0.1', () => done(server));
  });
}

afterAll(async () => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  squatter?.close();
  rmSync(cwd, { recursive: true, force: true });
});

test('two npm starts run side by side on two PORTs while another program holds 3001; a taken PORT and a folder in use are refused, saying what to set', async () => {
  squatter = await occupy3001();
  const [portA, portB] = [await freePort(), await freePort()];
  const a = npmStart({ PORT: String(portA) });
  const b = npmStart({ PORT: String(portB) });
  const urls = { a: `http://127.0.0.1:${portA}`, b: `http://127.0.0.1:${portB}` };
  await Promise.all([ready(urls.a, a), ready(urls.b, b)]);

  // Each is a whole platform with its own databases: an order placed on each is approved there.
  for (const url of [urls.a, urls.b]) {
    const alice = await login(url, 'alice', 'alice-secret');
    const placed = await gatewayCall<{ orderId: string }>(url, 'POST', '/api/orders', { authorization: alice, headers: { 'idempotency-key': randomUUID() }, body: { items: [{ sku: 'SKU-APPLE', quantity: 1 }] } });
    expect(placed.status).toBe(202);
    expect((await waitForFinalOrder(url, alice, placed.body.orderId, 60_000)).status).toBe('APPROVED');
  }
  expect(existsSync(join(cwd, `.local/embedded-${portA}/npm-start.pid`))).toBe(true);
  expect(existsSync(join(cwd, `.local/embedded-${portB}/npm-start.pid`))).toBe(true);

  // The same PORT again: refused at once, before any database starts, naming the variable.
  const samePort = npmStart({ PORT: String(portA) });
  expect(await samePort.exited).toBe(1);
  expect(samePort.output()).toMatch(new RegExp(`the gateway cannot listen on 127\\.0\\.0\\.1:${portA} .*set PORT to a free port`));

  // Another PORT but A's folder: refused, naming A's process.
  const sameFolder = npmStart({ PORT: String(await freePort()), SAGA_DATA_DIR: join(cwd, `.local/embedded-${portA}`) });
  expect(await sameFolder.exited).toBe(1);
  expect(sameFolder.output()).toContain(`another npm start (pid ${a.child.pid}) is using the databases in`);

  // Stopped, each releases its folder.
  a.child.kill('SIGTERM');
  b.child.kill('SIGTERM');
  expect(await a.exited).toBe(0);
  expect(await b.exited).toBe(0);
  expect(existsSync(join(cwd, `.local/embedded-${portA}/npm-start.pid`))).toBe(false);
});
