// One service as its own OS process: spawned from its built dist/main.js, output appended to a log file, killed on demand.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface ServiceProcessSpec {
  name: string;
  script: string;
  port: number;
  env: Record<string, string>;
  logFile: string;
}

/**
 * `count` distinct ports nobody listens on right now: all held open together, then closed. Chosen one at a time, the
 * kernel may hand a port it just freed out again, to the next pick or to any listener started meanwhile.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.once('error', reject);
      server.listen(0, '0.0.0.0', () => resolve(server));
    })),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    return typeof address === 'object' && address ? address.port : 0;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  if (ports.some((port) => port === 0)) throw new Error('could not find free ports');
  return ports;
}

/** A port nobody listens on right now: listen on 0, read it, close. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port as number;
}

/** The last lines of a log, for error messages. */
export function logTail(logFile: string, lines = 15): string {
  if (!existsSync(logFile)) return '(no log file)';
  const all = readFileSync(logFile, 'utf8').trimEnd().split('\n');
  return all.slice(-lines).join('\n') || '(empty log)';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ServiceProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private expectingExit = false;
  /** Exits the harness did not cause (a crash): shown when a test fails. */
  readonly unexpectedExits: string[] = [];

  constructor(readonly spec: ServiceProcessSpec) {}

  get url(): string {
    return `http://127.0.0.1:${this.spec.port}`;
  }

  get pid(): number | undefined {
    return this.isRunning() ? this.child?.pid : undefined;
  }

  isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.isRunning()) throw new Error(`${this.spec.name} is already running (pid ${this.child?.pid})`);
    this.note(`starting node ${this.spec.script} on port ${this.spec.port}`);
    const fd = openSync(this.spec.logFile, 'a');
    try {
      // The log file is the child's stdout and stderr: no pipes for the test process to drain or keep open.
      this.child = spawn(process.execPath, [this.spec.script], { env: this.spec.env, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    const child = this.child;
    this.expectingExit = false;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const what = `pid ${child.pid} exited (${signal ? `signal ${signal}` : `code ${code}`})`;
        this.note(what);
        if (!this.expectingExit) this.unexpectedExits.push(`${this.spec.name} ${what}`);
        resolve();
      });
      child.once('error', (error) => {
        this.note(`spawn failed: ${error.message}`);
        resolve();
      });
    });
  }

  /** Polls /health/ready until it answers 200; fails early, with the log's tail, if the process dies first. */
  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.isRunning()) throw this.failure(`exited before it was ready`);
      try {
        const response = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(1_000) });
        if (response.status === 200) return;
        last = `${response.status} ${(await response.text()).slice(0, 300)}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await sleep(150);
    }
    throw this.failure(`was not ready within ${timeoutMs} ms (last /health/ready: ${last})`);
  }

  /** Sends the signal and waits for the exit; after `graceMs` a SIGKILL follows. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', graceMs = 15_000): Promise<void> {
    if (!this.isRunning() || !this.child) return;
    this.expectingExit = true;
    this.note(`sending ${signal}`);
    this.child.kill(signal);
    const exited = this.exited ?? Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs)))]);
    clearTimeout(timer);
    if (timedOut && this.isRunning()) {
      this.note(`still running ${graceMs} ms after ${signal}: SIGKILL`);
      this.child.kill('SIGKILL');
      await exited;
    }
  }

  /** Synchronous last resort for process 'exit' handlers. */
  killNow(): void {
    if (this.isRunning()) {
      this.expectingExit = true;
      this.note('the test process is exiting without stop(): SIGKILL');
      this.child?.kill('SIGKILL');
    }
  }

  failure(what: string): Error {
    return new Error(`${this.spec.name} ${what}. Log: ${this.spec.logFile}\n--- last lines ---\n${logTail(this.spec.logFile)}`);
  }

  private note(message: string): void {
    appendFileSync(this.spec.logFile, `[e2e harness ${new Date().toISOString()}] ${this.spec.name}: ${message}\n`);
  }
}
