// start:local's supervisor with fake processes and jest's fake timers: startup, restart with backoff, crash loop, stop.
import { Supervisor, type ExitStatus, type ServiceProcess, type SupervisedService } from './supervisor';

/** A service process that is ready when the test says so and dies when the test (or a signal) says so. */
class FakeProcess implements ServiceProcess {
  readonly signals: NodeJS.Signals[] = [];
  readonly exited: Promise<ExitStatus>;
  private resolveExit!: (status: ExitStatus) => void;
  private running = true;

  constructor(
    readonly name: string,
    public ready: boolean,
    private readonly ignoresSigterm: boolean,
    private readonly journal: string[],
  ) {
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  isRunning(): boolean {
    return this.running;
  }

  kill(signal: NodeJS.Signals): void {
    this.signals.push(signal);
    this.journal.push(`${signal} ${this.name}`);
    if (signal === 'SIGTERM' && this.ignoresSigterm) return;
    this.die({ code: null, signal });
  }

  die(status: ExitStatus = { code: 1, signal: null }): void {
    if (!this.running) return;
    this.running = false;
    this.resolveExit(status);
  }
}

interface Behaviour {
  /** Whether the nth process (1: the first start) of a service answers ready; default: always. */
  readyAt?: (name: string, nth: number) => boolean;
  ignoresSigterm?: string[];
}

const service = (name: string, port: number): SupervisedService => ({ name, url: `http://127.0.0.1:${port}` });

/** The platform's shape: the participants, then order, then the gateway. */
function platform(behaviour: Behaviour = {}) {
  const inventory = service('inventory', 3002);
  const payment = service('payment', 3003);
  const order = service('order', 3001);
  const gateway = service('gateway', 8080);
  const processes: FakeProcess[] = [];
  const journal: string[] = [];
  const log: string[] = [];
  const stopped = jest.fn<void, [number]>();
  const processesOf = (name: string) => processes.filter((p) => p.name === name);
  const current = (name: string) => processesOf(name)[processesOf(name).length - 1];
  const supervisor = new Supervisor({
    waves: [[inventory, payment], [order], [gateway]],
    spawn: ({ name }) => {
      const nth = processesOf(name).length + 1;
      const spawned = new FakeProcess(name, behaviour.readyAt?.(name, nth) ?? true, behaviour.ignoresSigterm?.includes(name) ?? false, journal);
      processes.push(spawned);
      journal.push(`spawn ${name}`);
      return spawned;
    },
    probeReady: async (url) => {
      const name = [inventory, payment, order, gateway].find((s) => url === `${s.url}/health/ready`)?.name ?? 'unknown';
      return current(name)?.ready ? { ready: true } : { ready: false, answer: '503 {"status":"starting"}' };
    },
    log: (message) => log.push(message),
    onStopped: stopped,
  });
  return { supervisor, processesOf, current, journal, log, stopped };
}

/** Lets the supervisor react: promise callbacks, and any timer due within `ms`. */
const elapse = (ms = 0) => jest.advanceTimersByTimeAsync(ms);

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

describe('startup', () => {
  it('starts a wave once the previous one is ready, and says where each is ready', async () => {
    const { supervisor, journal, log } = platform({ readyAt: (name, nth) => name !== 'payment' || nth > 1 });
    const started = supervisor.start();
    await elapse(1_000);
    expect(journal).toEqual(['spawn inventory', 'spawn payment']);
    expect(log).toEqual(['inventory ready on http://127.0.0.1:3002']);
    supervisor.shutdown('SIGINT', 0);
    await elapse(200);
    expect(await started).toBe(false);
  });

  it('resolves true once every wave is ready', async () => {
    const { supervisor, journal, log } = platform();
    expect(await supervisor.start()).toBe(true);
    expect(journal).toEqual(['spawn inventory', 'spawn payment', 'spawn order', 'spawn gateway']);
    expect(log).toEqual([
      'inventory ready on http://127.0.0.1:3002',
      'payment ready on http://127.0.0.1:3003',
      'order ready on http://127.0.0.1:3001',
      'gateway ready on http://127.0.0.1:8080',
    ]);
  });

  it('fails on a death during startup, stopping the others and restarting nothing', async () => {
    const { supervisor, current, processesOf, log, stopped } = platform({ readyAt: (name) => name !== 'inventory' });
    const started = supervisor.start();
    await elapse(100);
    current('inventory').die({ code: 1, signal: null });
    await elapse(60_000);
    expect(await started).toBe(false);
    expect(log).toEqual(['payment ready on http://127.0.0.1:3003', 'inventory died unexpectedly (exit code 1)', 'inventory died during startup: stopping every service', 'all stopped']);
    expect(processesOf('inventory')).toHaveLength(1);
    expect(processesOf('order')).toHaveLength(0);
    expect(current('payment').signals).toEqual(['SIGTERM']);
    expect(stopped).toHaveBeenCalledWith(1);
  });

  it('fails when a service of an earlier wave dies while a later wave starts', async () => {
    const { supervisor, current, processesOf, log, stopped } = platform({ readyAt: (name) => name !== 'order' });
    const started = supervisor.start();
    await elapse(100);
    current('inventory').die({ code: null, signal: 'SIGKILL' });
    await elapse(60_000);
    expect(await started).toBe(false);
    expect(log).toContain('inventory died unexpectedly (signal SIGKILL)');
    expect(processesOf('inventory')).toHaveLength(1);
    expect(processesOf('gateway')).toHaveLength(0);
    expect(stopped).toHaveBeenCalledWith(1);
  });

  it('fails when a service is not ready within 30 s', async () => {
    const { supervisor, current, log, stopped } = platform({ readyAt: (name) => name !== 'order' });
    const started = supervisor.start();
    await elapse(30_000);
    expect(await started).toBe(false);
    expect(log).toContain('order was not ready on http://127.0.0.1:3001/health/ready within 30 s (last answer: 503 {"status":"starting"})');
    expect(log).toContain('startup failed: stopping every service');
    await elapse();
    expect(current('order').signals).toEqual(['SIGTERM']);
    expect(stopped).toHaveBeenCalledWith(1);
  });
});

describe('a service that dies once the platform is up', () => {
  it('is restarted after the policy’s delay, the others untouched', async () => {
    const { supervisor, current, processesOf, log, stopped } = platform();
    await supervisor.start();
    const others = ['payment', 'order', 'gateway'].map(current);
    log.length = 0;

    current('inventory').die({ code: null, signal: 'SIGKILL' });
    await elapse();
    expect(log).toEqual(['inventory died (signal SIGKILL); restarting in 0.5 s (death 1 in the last 60 s; 5 stop the platform)']);
    await elapse(499);
    expect(processesOf('inventory')).toHaveLength(1);
    await elapse(1);
    expect(processesOf('inventory')).toHaveLength(2);
    expect(log[1]).toBe('inventory restarted, ready on http://127.0.0.1:3002');

    for (const other of others) {
      expect(other.isRunning()).toBe(true);
      expect(other.signals).toEqual([]);
      expect(processesOf(other.name)).toEqual([other]);
    }
    expect(stopped).not.toHaveBeenCalled();
  });

  it('waits twice as long after a second death soon after', async () => {
    const { supervisor, current, processesOf, log } = platform();
    await supervisor.start();
    current('inventory').die({ code: null, signal: 'SIGKILL' });
    await elapse(500);
    await elapse(5_000);
    current('inventory').die({ code: 1, signal: null });
    await elapse();
    expect(log).toContain('inventory died (exit code 1); restarting in 1 s (death 2 in the last 60 s; 5 stop the platform)');
    await elapse(999);
    expect(processesOf('inventory')).toHaveLength(2);
    await elapse(1);
    expect(processesOf('inventory')).toHaveLength(3);
  });

  it('starts again at 0.5 s after it stayed up 30 s', async () => {
    const { supervisor, current, log } = platform();
    await supervisor.start();
    current('inventory').die();
    await elapse(500);
    await elapse(30_000);
    current('inventory').die();
    await elapse();
    expect(log[log.length - 1]).toBe('inventory died (exit code 1); restarting in 0.5 s (death 2 in the last 60 s; 5 stop the platform)');
  });

  it('counts a restart that never becomes ready as another death: killed, then the policy goes on', async () => {
    const { supervisor, current, processesOf, log } = platform({ readyAt: (name, nth) => name !== 'inventory' || nth !== 2 });
    await supervisor.start();
    log.length = 0;
    current('inventory').die({ code: null, signal: 'SIGKILL' });
    await elapse(500);
    const neverReady = current('inventory');
    await elapse(30_000);
    expect(neverReady.signals).toEqual(['SIGKILL']);
    expect(log).toEqual([
      'inventory died (signal SIGKILL); restarting in 0.5 s (death 1 in the last 60 s; 5 stop the platform)',
      'inventory was not ready on http://127.0.0.1:3002/health/ready within 30 s (last answer: 503 {"status":"starting"}): SIGKILL',
      'inventory died (not ready within 30 s of its restart); restarting in 1 s (death 2 in the last 60 s; 5 stop the platform)',
    ]);
    await elapse(1_000);
    expect(processesOf('inventory')).toHaveLength(3);
    expect(log[log.length - 1]).toBe('inventory restarted, ready on http://127.0.0.1:3002');
  });

  it('counts a restart that dies before it is ready once', async () => {
    const { supervisor, current, log } = platform({ readyAt: (name, nth) => name !== 'inventory' || nth !== 2 });
    await supervisor.start();
    log.length = 0;
    current('inventory').die();
    await elapse(500);
    await elapse(300);
    current('inventory').die({ code: 78, signal: null });
    await elapse(30_000);
    expect(log.filter((line) => line.includes('died'))).toEqual([
      'inventory died (exit code 1); restarting in 0.5 s (death 1 in the last 60 s; 5 stop the platform)',
      'inventory died (exit code 78); restarting in 1 s (death 2 in the last 60 s; 5 stop the platform)',
    ]);
    expect(log[log.length - 1]).toBe('inventory restarted, ready on http://127.0.0.1:3002');
  });
});

describe('a crash loop', () => {
  it('stops the platform at the 5th death in 60 s, naming the service', async () => {
    const { supervisor, current, processesOf, journal, log, stopped } = platform();
    await supervisor.start();
    log.length = 0;
    for (const delay of [500, 1_000, 2_000, 4_000]) {
      current('inventory').die({ code: null, signal: 'SIGKILL' });
      await elapse(delay);
    }
    journal.length = 0;
    current('inventory').die({ code: null, signal: 'SIGKILL' });
    await elapse();
    expect(log).toEqual([
      'inventory died (signal SIGKILL); restarting in 0.5 s (death 1 in the last 60 s; 5 stop the platform)',
      'inventory restarted, ready on http://127.0.0.1:3002',
      'inventory died (signal SIGKILL); restarting in 1 s (death 2 in the last 60 s; 5 stop the platform)',
      'inventory restarted, ready on http://127.0.0.1:3002',
      'inventory died (signal SIGKILL); restarting in 2 s (death 3 in the last 60 s; 5 stop the platform)',
      'inventory restarted, ready on http://127.0.0.1:3002',
      'inventory died (signal SIGKILL); restarting in 4 s (death 4 in the last 60 s; 5 stop the platform)',
      'inventory restarted, ready on http://127.0.0.1:3002',
      'inventory died (signal SIGKILL): death 5 in the last 60 s',
      'inventory is crash-looping (5 deaths in 60 s): stopping every service',
      'all stopped',
    ]);
    // Reverse waves; the dead inventory is not restarted.
    expect(journal).toEqual(['SIGTERM gateway', 'SIGTERM order', 'SIGTERM payment']);
    await elapse(60_000);
    expect(processesOf('inventory')).toHaveLength(5);
    expect(stopped).toHaveBeenCalledTimes(1);
    expect(stopped).toHaveBeenCalledWith(1);
  });

  it('is not five deaths spread over more than 60 s', async () => {
    const { supervisor, current, stopped, log } = platform();
    await supervisor.start();
    for (let death = 1; death <= 5; death++) {
      current('inventory').die();
      await elapse(16_000);
    }
    expect(stopped).not.toHaveBeenCalled();
    expect(log.filter((line) => line.startsWith('inventory died')).map((line) => /death \d+/.exec(line)?.[0])).toEqual(['death 1', 'death 2', 'death 3', 'death 4', 'death 4']);
  });
});

describe('stopping', () => {
  it('cancels a pending restart', async () => {
    const { supervisor, current, processesOf, log, stopped } = platform();
    await supervisor.start();
    current('inventory').die({ code: null, signal: 'SIGKILL' });
    await elapse(100);
    supervisor.shutdown('SIGTERM', 0);
    await elapse();
    // Cancelled, not merely ignored when it fires.
    expect(jest.getTimerCount()).toBe(0);
    await elapse(60_000);
    expect(processesOf('inventory')).toHaveLength(1);
    expect(log.slice(-2)).toEqual(['SIGTERM: stopping every service', 'all stopped']);
    expect(stopped).toHaveBeenCalledWith(0);
  });

  it('stops a restart that is still starting', async () => {
    const { supervisor, current, processesOf, stopped } = platform({ readyAt: (name, nth) => name !== 'inventory' || nth !== 2 });
    await supervisor.start();
    current('inventory').die();
    await elapse(1_000);
    supervisor.shutdown('SIGINT', 0);
    await elapse(60_000);
    expect(processesOf('inventory')).toHaveLength(2);
    expect(current('inventory').signals).toEqual(['SIGTERM']);
    expect(stopped).toHaveBeenCalledWith(0);
  });

  it('goes in reverse waves, SIGKILLs what is still running after 10 s, and restarts nothing that dies meanwhile', async () => {
    const { supervisor, current, processesOf, journal, log, stopped } = platform({ ignoresSigterm: ['gateway'] });
    await supervisor.start();
    journal.length = 0;
    supervisor.shutdown('SIGINT', 0);
    await elapse(5_000);
    current('inventory').die();
    expect(journal).toEqual(['SIGTERM gateway']);
    await elapse(5_000);
    expect(log).toContain('gateway still running 10 s after SIGTERM: SIGKILL');
    expect(journal).toEqual(['SIGTERM gateway', 'SIGKILL gateway', 'SIGTERM order', 'SIGTERM payment']);
    await elapse(60_000);
    expect(processesOf('inventory')).toHaveLength(1);
    expect(log.filter((line) => line.startsWith('inventory died'))).toEqual([]);
    expect(stopped).toHaveBeenCalledWith(0);
  });

  it('stops once, whoever asks', async () => {
    const { supervisor, stopped, log } = platform();
    await supervisor.start();
    supervisor.shutdown('SIGINT', 0);
    supervisor.shutdown('SIGTERM', 0);
    await elapse();
    expect(log.filter((line) => line.endsWith('stopping every service'))).toEqual(['SIGINT: stopping every service']);
    expect(stopped).toHaveBeenCalledTimes(1);
  });

  it('killNow SIGKILLs every running service and cancels a pending restart', async () => {
    const { supervisor, current, processesOf } = platform();
    await supervisor.start();
    current('inventory').die();
    await elapse();
    supervisor.killNow();
    await elapse(60_000);
    expect(processesOf('inventory')).toHaveLength(1);
    expect(['payment', 'order', 'gateway'].map((name) => current(name).signals)).toEqual([['SIGKILL'], ['SIGKILL'], ['SIGKILL']]);
  });
});
