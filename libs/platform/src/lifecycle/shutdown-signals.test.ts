// installShutdownSignals: signals start the runner once and the process exits with its outcome.
import { EventEmitter } from 'node:events';
import { createLogger } from '../logging/create-logger';
import { GracefulShutdown } from './graceful-shutdown';
import { installShutdownSignals, type SignalSource } from './shutdown-signals';

function setup(deadlineMs = 25_000) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ service: 'order', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
  const source = new EventEmitter();
  const shutdown = new GracefulShutdown({ logger, deadlineMs });
  let exited!: (code: number) => void;
  const exitCode = new Promise<number>((resolve) => (exited = resolve));
  const exit = jest.fn((code: number) => exited(code));
  const uninstall = installShutdownSignals(shutdown, { logger, exit, source: source as unknown as SignalSource });
  return { lines, source, shutdown, exit, exitCode, uninstall };
}

describe('installShutdownSignals', () => {
  it('runs the hooks on SIGTERM and exits 0 when they all succeed', async () => {
    const { source, shutdown, exitCode } = setup();
    const hook = jest.fn();
    shutdown.register('db', hook);
    source.emit('SIGTERM');
    await expect(exitCode).resolves.toBe(0);
    expect(hook).toHaveBeenCalledTimes(1);
  });

  it('ignores a second signal while shutting down', async () => {
    const { source, shutdown, exit, exitCode, lines } = setup();
    let release!: () => void;
    const hook = jest.fn(() => new Promise<void>((resolve) => (release = resolve)));
    shutdown.register('http', hook);
    source.emit('SIGINT');
    source.emit('SIGINT');
    source.emit('SIGTERM');
    release();
    await exitCode;
    expect(hook).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledTimes(1);
    expect(lines.filter((l) => l.msg === 'already shutting down; signal ignored')).toHaveLength(2);
  });

  it('exits non-zero when a hook fails', async () => {
    const { source, shutdown, exitCode } = setup();
    shutdown.register('broker', () => Promise.reject(new Error('boom')));
    source.emit('SIGTERM');
    await expect(exitCode).resolves.toBe(1);
  });

  it('exits non-zero when the hooks overrun the deadline', async () => {
    jest.useFakeTimers();
    try {
      const { source, shutdown, exitCode } = setup(1000);
      shutdown.register('consumers', () => new Promise<void>(() => {}));
      source.emit('SIGTERM');
      await jest.advanceTimersByTimeAsync(1000);
      await expect(exitCode).resolves.toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('can be uninstalled', () => {
    const { source, uninstall } = setup();
    expect(source.listenerCount('SIGTERM')).toBe(1);
    uninstall();
    expect(source.listenerCount('SIGTERM') + source.listenerCount('SIGINT')).toBe(0);
  });
});
