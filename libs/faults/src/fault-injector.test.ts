// The injector as a service uses it: which rules are accepted, when they fire, and what each effect does.
import { FaultInjector, FaultRuleError, InjectedFaultError, InjectedTimeoutError, serviceFaults } from './fault-injector';
import { faultRuleInput, type OperationSpec } from './fault-rule';

const operations: OperationSpec[] = [
  { name: 'charge', kind: 'step', description: 'the charge' },
  { name: 'consumer', kind: 'consumer', description: 'the consumers' },
];
const slept: number[] = [];
const make = (random = () => 0, crash?: () => never) =>
  new FaultInjector({ service: 'payment', operations, random, sleep: async (ms) => void slept.push(ms), ...(crash ? { crash } : {}) });
const rule = (input: unknown) => faultRuleInput.parse(input);

beforeEach(() => slept.splice(0));

describe('fault rules', () => {
  it.each([
    [{ operation: 'charge', effect: 'delay' }, 'delayMs is required for effect delay'],
    [{ operation: 'charge', effect: 'error', delayMs: 5 }, 'delayMs applies to delay and timeout only'],
    [{ operation: 'charge', effect: 'error', probability: 0 }, 'probability must be above 0'],
    [{ operation: 'charge', effect: 'error', colour: 'red' }, 'Unrecognized key'],
    [{ operation: 'charge', effect: 'explode' }, "Expected 'delay' | 'timeout' | 'error' | 'crash-after-commit' | 'duplicate'"],
    [{ operation: 'charge', effect: 'timeout', delayMs: 0 }, 'Too small'],
  ])('rejects %j', (input, message) => {
    const parsed = faultRuleInput.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain(message);
  });

  it('rejects an unknown operation and a delivery effect on a step, naming what is allowed', () => {
    const injector = make();
    expect(() => injector.add(rule({ operation: 'reserve', effect: 'error' }))).toThrow(new FaultRuleError('unknown operation "reserve"; this service has: charge, consumer'));
    expect(() => injector.add(rule({ operation: 'charge', effect: 'duplicate' }))).toThrow(/does not apply to charge \(a step\); use one of: error, delay, timeout/);
  });

  it('lists, removes and clears rules', () => {
    const injector = make();
    const a = injector.add(rule({ operation: 'charge', effect: 'error' }));
    injector.add(rule({ operation: 'consumer', effect: 'duplicate', times: 2 }));
    expect(injector.list().map((r) => [r.operation, r.effect, r.probability, r.triggered])).toEqual([['charge', 'error', 1, 0], ['consumer', 'duplicate', 1, 0]]);
    expect(injector.remove(a.id)).toBe(true);
    expect(injector.remove(a.id)).toBe(false);
    expect(injector.clear()).toBe(1);
    expect(injector.list()).toEqual([]);
  });
});

describe('effects before a step', () => {
  it('error fires `times` times, then the rule is gone', async () => {
    const injector = make();
    injector.add(rule({ operation: 'charge', effect: 'error', times: 2 }));
    await expect(injector.beforeOperation('charge')).rejects.toBeInstanceOf(InjectedFaultError);
    await expect(injector.beforeOperation('charge')).rejects.toBeInstanceOf(InjectedFaultError);
    await expect(injector.beforeOperation('charge')).resolves.toBeUndefined();
    expect(injector.list()).toEqual([]);
  });

  it('probability: fires only when the draw is below it', async () => {
    const draws = [0.7, 0.2];
    const injector = make(() => draws.shift() ?? 0.99);
    injector.add(rule({ operation: 'charge', effect: 'error', probability: 0.5 }));
    await expect(injector.beforeOperation('charge')).resolves.toBeUndefined();
    await expect(injector.beforeOperation('charge')).rejects.toBeInstanceOf(InjectedFaultError);
    expect(injector.list()[0]?.triggered).toBe(1);
  });

  it('delay sleeps then lets the step run; timeout holds (30 s by default) then fails', async () => {
    const injector = make();
    injector.add(rule({ operation: 'charge', effect: 'delay', delayMs: 250, times: 1 }));
    await expect(injector.beforeOperation('charge')).resolves.toBeUndefined();
    injector.add(rule({ operation: 'charge', effect: 'timeout', times: 1 }));
    await expect(injector.beforeOperation('charge')).rejects.toBeInstanceOf(InjectedTimeoutError);
    expect(slept).toEqual([250, 30_000]);
  });

  it('leaves other operations alone', async () => {
    const injector = make();
    injector.add(rule({ operation: 'consumer', effect: 'error' }));
    await expect(injector.beforeOperation('charge')).resolves.toBeUndefined();
  });
});

describe('effects around a message handler', () => {
  it('duplicate runs the handler twice with the same message', async () => {
    const injector = make();
    injector.add(rule({ operation: 'consumer', effect: 'duplicate', times: 1 }));
    const seen: string[] = [];
    const handle = injector.wrapHandler('consumer', async (m: string) => void seen.push(m));
    await handle('m1');
    await handle('m2');
    expect(seen).toEqual(['m1', 'm1', 'm2']);
  });

  it('crash-after-commit crashes only after the handler finished (committed)', async () => {
    const events: string[] = [];
    const injector = make(() => 0, () => {
      events.push('crash');
      throw new Error('crashed');
    });
    injector.add(rule({ operation: 'consumer', effect: 'crash-after-commit', times: 1 }));
    const handle = injector.wrapHandler('consumer', async () => void events.push('committed'));
    await expect(handle('m')).rejects.toThrow('crashed');
    expect(events).toEqual(['committed', 'crash']);
  });

  it('error fails the delivery before the handler runs (the bus retries it)', async () => {
    const injector = make();
    injector.add(rule({ operation: 'consumer', effect: 'error', times: 1 }));
    const handled: string[] = [];
    const handle = injector.wrapHandler('consumer', async (m: string) => void handled.push(m));
    await expect(handle('m')).rejects.toBeInstanceOf(InjectedFaultError);
    await handle('m');
    expect(handled).toEqual(['m']);
  });
});

describe('serviceFaults', () => {
  it('logs each fired rule, then calls the given onTrigger (e.g. a metrics counter)', async () => {
    const warned: string[] = [];
    const fired: string[] = [];
    const faults = serviceFaults('payment', operations, { warn: (_details, message) => void warned.push(message) }, {
      onTrigger: (fault) => void fired.push(`${fault.service}/${fault.operation}/${fault.effect}`),
    });
    faults.add(rule({ operation: 'charge', effect: 'error', times: 1 }));
    await expect(faults.beforeOperation('charge')).rejects.toBeInstanceOf(InjectedFaultError);
    expect(warned).toEqual(['fault injected']);
    expect(fired).toEqual(['payment/charge/error']);
  });
});
