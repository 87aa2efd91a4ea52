// GracefulShutdown, the pure runner: order, once-only, failing hooks, the deadline, and readiness during shutdown.
import { createLogger } from '../logging/create-logger';
import { createReadiness } from '../http/readiness';
import { GracefulShutdown } from './graceful-shutdown';

function setup(deadlineMs?: number) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ service: 'order', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
  return { shutdown: new GracefulShutdown({ logger, ...(deadlineMs !== undefined && { deadlineMs }) }), lines };
}

afterEach(() => jest.useRealTimers());

describe('GracefulShutdown', () => {
  it('runs the hooks one after another in registration order', async () => {
    const { shutdown } = setup();
    const calls: string[] = [];
    shutdown
      .register('http', async () => {
        calls.push('http:start');
        await new Promise((resolve) => setImmediate(resolve));
        calls.push('http:end');
      })
      .register('brokers', () => void calls.push('brokers'))
      .register('db', async () => void calls.push('db'));
    await expect(shutdown.run()).resolves.toEqual({ ok: true, timedOut: false, failed: [] });
    expect(calls).toEqual(['http:start', 'http:end', 'brokers', 'db']);
  });

  it('runs the hooks only once, however often it is asked', async () => {
    const { shutdown } = setup();
    const hook = jest.fn();
    shutdown.register('db', hook);
    expect(shutdown.isShuttingDown()).toBe(false);
    const first = shutdown.run('SIGTERM');
    expect(shutdown.isShuttingDown()).toBe(true);
    const second = shutdown.run('SIGINT');
    expect(second).toBe(first);
    await first;
    await shutdown.run();
    expect(hook).toHaveBeenCalledTimes(1);
  });

  it('logs a hook that throws and still runs the rest', async () => {
    const { shutdown, lines } = setup();
    const db = jest.fn();
    shutdown
      .register('brokers', () => {
        throw new Error('channel already closed');
      })
      .register('db', db);
    await expect(shutdown.run()).resolves.toEqual({ ok: false, timedOut: false, failed: ['brokers'] });
    expect(db).toHaveBeenCalled();
    expect(lines.find((l) => l.level === 'error')).toMatchObject({
      hook: 'brokers',
      err: { message: 'channel already closed' },
    });
  });

  it('gives up at the deadline and starts no further hooks', async () => {
    jest.useFakeTimers();
    const { shutdown, lines } = setup(1000);
    const db = jest.fn();
    shutdown
      .register('http', async () => undefined)
      .register('consumers', () => new Promise<void>(() => {}))
      .register('db', db);
    const result = shutdown.run();
    await jest.advanceTimersByTimeAsync(1000);
    await expect(result).resolves.toEqual({ ok: false, timedOut: true, failed: [] });
    expect(db).not.toHaveBeenCalled();
    expect(lines.find((l) => l.msg === 'shutdown deadline exceeded')).toMatchObject({ hook: 'consumers' });
  });

  it('lets hooks that finish before the deadline complete normally', async () => {
    jest.useFakeTimers();
    const { shutdown } = setup(1000);
    shutdown.register('drain', () => new Promise<void>((resolve) => setTimeout(resolve, 999)));
    const result = shutdown.run();
    await jest.advanceTimersByTimeAsync(999);
    await expect(result).resolves.toEqual({ ok: true, timedOut: false, failed: [] });
  });

  it('makes readiness report not-ready as soon as shutdown begins, without running the checks', async () => {
    const { shutdown } = setup();
    const db = jest.fn(async () => undefined);
    const readiness = createReadiness({ checks: { db }, isShuttingDown: shutdown.isShuttingDown });
    await expect(readiness()).resolves.toMatchObject({ status: 'ready' });

    let release!: () => void;
    shutdown.register('http', () => new Promise<void>((resolve) => (release = resolve)));
    const done = shutdown.run();
    await expect(readiness()).resolves.toEqual({
      status: 'not-ready',
      checks: { shutdown: { status: 'down', error: 'shutting down' } },
    });
    expect(db).toHaveBeenCalledTimes(1);
    release();
    await done;
  });
});
