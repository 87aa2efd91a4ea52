// Unit tests of the forge consul agent's check runner: Consul's status mapping, change-only updates, and the reaper.
import { HealthChecker, statusOf, type CheckerDeps, type CheckStatus } from './checker';
import { parseGoDurationMs } from './duration';

function harness(codes: Array<number | Error>) {
  let now = 1_000_000;
  const calls = { setStatus: [] as Array<[string, CheckStatus]>, deregister: [] as string[], probes: [] as Array<[string, number]> };
  const deps: CheckerDeps = {
    probe: async (url, timeoutMs) => {
      calls.probes.push([url, timeoutMs]);
      const next = codes.shift() ?? 200;
      if (next instanceof Error) throw next;
      return next;
    },
    setStatus: (id, status) => void calls.setStatus.push([id, status]),
    deregister: async (id) => void calls.deregister.push(id),
    now: () => now,
    random: () => 0,
    log: () => undefined,
  };
  const checker = new HealthChecker(deps, { reapIntervalMs: 30_000, minDeregisterMs: 60_000 });
  return { checker, calls, advance: (ms: number) => (now += ms) };
}

const check = { HTTP: 'http://10.0.0.5:3001/health/ready', Interval: '5s', Timeout: '2s', DeregisterCriticalServiceAfter: '60s' };

afterEach(() => jest.useRealTimers());

describe('parseGoDurationMs', () => {
  it('reads Go durations, compound ones included', () => {
    expect(parseGoDurationMs('5s')).toBe(5_000);
    expect(parseGoDurationMs('1m30s')).toBe(90_000);
    expect(parseGoDurationMs('250ms')).toBe(250);
    expect(parseGoDurationMs('1h')).toBe(3_600_000);
  });
  it('rejects what Go rejects', () => {
    expect(() => parseGoDurationMs('5')).toThrow('invalid duration');
    expect(() => parseGoDurationMs('')).toThrow('invalid duration');
  });
});

describe('statusOf (Consul HTTP check semantics)', () => {
  it('maps 2xx to passing, 429 to warning, everything else to critical', () => {
    expect([200, 204, 299].map(statusOf)).toEqual(['passing', 'passing', 'passing']);
    expect(statusOf(429)).toBe('warning');
    expect([301, 404, 500, 503].map(statusOf)).toEqual(['critical', 'critical', 'critical', 'critical']);
  });
});

describe('HealthChecker', () => {
  it('starts critical and reports only status changes to the catalog', async () => {
    const { checker, calls } = harness([200, 200, 503, new Error('connect ECONNREFUSED'), 200]);
    checker.upsert('inv-1', check);
    expect(checker.status('inv-1')).toBe('critical');
    for (let i = 0; i < 5; i++) await checker.runCheck('inv-1');
    expect(calls.setStatus).toEqual([
      ['inv-1', 'passing'],
      ['inv-1', 'critical'],
      ['inv-1', 'passing'],
    ]);
    expect(calls.probes[0]).toEqual(['http://10.0.0.5:3001/health/ready', 2_000]);
    checker.stop();
  });

  it('uses Consul\'s 10 s default timeout and the check\'s own Status as the starting one', async () => {
    const { checker, calls } = harness([200]);
    checker.upsert('a', { HTTP: 'http://a:1/h', Interval: '10s', Status: 'passing' });
    expect(checker.status('a')).toBe('passing');
    await checker.runCheck('a');
    expect(calls.probes[0]?.[1]).toBe(10_000);
    expect(calls.setStatus).toEqual([]);
    checker.stop();
  });

  it('keeps the previous status on re-registration, like the double', async () => {
    const { checker } = harness([200]);
    checker.upsert('a', check);
    await checker.runCheck('a');
    checker.upsert('a', check);
    expect(checker.status('a')).toBe('passing');
    checker.stop();
  });

  it('reaps a service critical for longer than DeregisterCriticalServiceAfter, and only then', async () => {
    const { checker, calls, advance } = harness([503]);
    checker.upsert('a', check);
    advance(60_000);
    await checker.reap();
    expect(calls.deregister).toEqual([]);
    advance(1);
    await checker.reap();
    expect(calls.deregister).toEqual(['a']);
    expect(checker.status('a')).toBeUndefined();
  });

  it('never reaps a passing service, and restarts the clock when it goes critical again', async () => {
    const { checker, calls, advance } = harness([200, 503]);
    checker.upsert('a', check);
    await checker.runCheck('a');
    advance(120_000);
    await checker.reap();
    expect(calls.deregister).toEqual([]);
    await checker.runCheck('a');
    advance(30_000);
    await checker.reap();
    expect(calls.deregister).toEqual([]);
    checker.stop();
  });

  it('raises a DeregisterCriticalServiceAfter below one minute to Consul\'s minimum', async () => {
    const { checker, calls, advance } = harness([]);
    checker.upsert('a', { ...check, DeregisterCriticalServiceAfter: '10s' });
    advance(30_000);
    await checker.reap();
    expect(calls.deregister).toEqual([]);
    advance(31_000);
    await checker.reap();
    expect(calls.deregister).toEqual(['a']);
  });

  it('drops a probe result that arrives after the service was deregistered', async () => {
    const { checker, calls } = harness([200]);
    checker.upsert('a', check);
    const running = checker.runCheck('a');
    checker.remove('a');
    await running;
    expect(calls.setStatus).toEqual([]);
  });

  it('schedules the first run within one interval and the next one interval later', async () => {
    jest.useFakeTimers();
    const { checker, calls } = harness([200, 200]);
    checker.upsert('a', check);
    await jest.advanceTimersByTimeAsync(0);
    expect(calls.probes).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(4_999);
    expect(calls.probes).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls.probes).toHaveLength(2);
    checker.remove('a');
    await jest.advanceTimersByTimeAsync(20_000);
    expect(calls.probes).toHaveLength(2);
  });
});
