// A toxiproxy-server of a test's own (the binary infra/local builds), on a free port: tests of the broker links never
// share the API port (8474) the chaos suite and the other runs use.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/** Where infra/local/components/toxiproxy.sh puts the binary (`npm run infra:up` builds it). */
export const toxiproxyServerBin = resolve(__dirname, '../../../../.local/bin/toxiproxy-server');

export interface OwnToxiproxy {
  /** Its API, e.g. http://127.0.0.1:41234. */
  url: string;
  stop(): Promise<void>;
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

/**
 * The real `process`: inside jest the global one is a copy whose 'exit' event never fires (the same trick as the e2e
 * harness), and the server must not outlive the test process.
 */
const realProcess = (spawn.constructor as FunctionConstructor)('return process')() as NodeJS.Process;

/** Starts toxiproxy-server on 127.0.0.1 and a free port; resolves once its API answers. */
export async function startOwnToxiproxy(bin = toxiproxyServerBin): Promise<OwnToxiproxy> {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: \`npm run infra:up\` builds it (infra/local/components/toxiproxy.sh)`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(bin, ['-host', '127.0.0.1', '-port', String(port)], { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
  const killNow = () => child.kill('SIGKILL');
  realProcess.on('exit', killNow);
  const stop = async () => {
    realProcess.off('exit', killNow);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGTERM');
    const timer = setTimeout(killNow, 3_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const answered = await fetch(`${url}/version`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
    if (answered) return { url, stop };
    await new Promise((done) => setTimeout(done, 100));
  }
  await stop();
  throw new Error(`toxiproxy-server on ${url} did not answer within 10 s (exit ${child.exitCode}):\n${output}`);
}
