// npm run load's arguments: the documented defaults, the example, and a clear message for each mistake.
import { parseFault, parseLoadArgs, share, UsageError, type LoadOptions } from './load-args';

const parse = (argv: string[], env: Record<string, string> = {}) => parseLoadArgs(argv, env) as LoadOptions;

describe('parseLoadArgs', () => {
  test('defaults: 10 orders/s for 30 s, mixed, no declined or out-of-stock orders, the demo users, localhost:8080', () => {
    expect(parse([])).toEqual({
      url: 'http://localhost:8080',
      ratePerSecond: 10,
      durationSeconds: 30,
      mode: 'mixed',
      declined: 0,
      outOfStock: 0,
      faults: [],
      drainSeconds: 60,
      customers: [{ username: 'alice', password: 'alice-secret' }, { username: 'bob', password: 'bob-secret' }],
      admin: { username: 'admin', password: 'admin-secret' },
    });
  });

  test("the issue's example", () => {
    const options = parse(['--rate', '50', '--duration', '60', '--mode', 'choreography', '--declined', '10%', '--out-of-stock', '5%', '--fault', 'payment.charge.error=0.1', '--url', 'http://localhost:8080/']);
    expect(options).toMatchObject({ ratePerSecond: 50, durationSeconds: 60, mode: 'choreography', declined: 0.1, outOfStock: 0.05, url: 'http://localhost:8080' });
    expect(options.faults).toEqual([{ spec: 'payment.charge.error=0.1', service: 'payment', rule: { operation: 'charge', effect: 'error', probability: 0.1 } }]);
  });

  test('--flag=value, repeated --fault, fractions as well as percentages', () => {
    const options = parse(['--rate=2.5', '--declined=0.25', '--fault', 'inventory.reserve.delay:800=50%', '--fault=order.consumer.duplicate', '--fault', 'payment.refund.error=1x3', '--drain', '5']);
    expect(options).toMatchObject({ ratePerSecond: 2.5, declined: 0.25, drainSeconds: 5 });
    expect(options.faults.map((f) => [f.service, f.rule])).toEqual([
      ['inventory', { operation: 'reserve', effect: 'delay', delayMs: 800, probability: 0.5 }],
      ['order', { operation: 'consumer', effect: 'duplicate', probability: 1 }],
      ['payment', { operation: 'refund', effect: 'error', probability: 1, times: 3 }],
    ]);
  });

  test('customers and the admin from LOAD_USERS and LOAD_ADMIN (compose has no demo users); a password may hold colons', () => {
    const options = parse([], { LOAD_USERS: 'admin:s3cr:et', LOAD_ADMIN: 'admin:s3cr:et' });
    expect(options.customers).toEqual([{ username: 'admin', password: 's3cr:et' }]);
    expect(options.admin).toEqual({ username: 'admin', password: 's3cr:et' });
  });

  test('--help', () => {
    expect(parseLoadArgs(['--rate', '5', '--help'])).toBe('help');
    expect(parseLoadArgs(['-h'])).toBe('help');
  });

  test.each([
    [['--rate', 'abc'], '--rate must be a number above 0 and at most 10000, got "abc"'],
    [['--rate', '0'], '--rate must be a number above 0'],
    [['--duration', '-3'], '--duration must be a number above 0'],
    [['--rate'], '--rate needs a value'],
    [['--rate', '--duration', '5'], '--rate needs a value'],
    [['--rate', '0.1', '--duration', '5'], 'is less than one order'],
    [['--mode', 'both'], '--mode must be orchestration, choreography or mixed, got "both"'],
    [['--declined', '10'], '--declined 10: write 10% for a percentage, or a fraction between 0 and 1'],
    [['--declined', '120%'], '--declined must be at most 100%'],
    [['--out-of-stock', 'lots'], '--out-of-stock must be a share such as 10% or 0.1'],
    [['--declined', '60%', '--out-of-stock', '50%'], 'add up to more than 100%'],
    [['--url', 'localhost:8080'], '--url must be http or https'],
    [['--url', 'not a url'], "--url must be the gateway's address"],
    [['--verbose'], 'unknown argument "--verbose"'],
    [['50'], 'unknown argument "50"'],
    [['--fault', 'payment-charge-error'], 'expected service.operation.effect[:delayMs][=probability[xTimes]]'],
    [['--fault', 'payment.charge.error=0.5x0'], 'Too small'],
    [['--fault', 'gateway.proxy.error'], 'the service must be one of order, inventory, payment, notification'],
    [['--fault', 'payment.charge.explode'], 'payment.charge.explode:'],
    [['--fault', 'payment.charge.delay=0.5'], 'delayMs is required for effect delay'],
    [['--fault', 'payment.charge.error:300'], 'delayMs applies to delay and timeout only'],
    [['--fault', 'payment.charge.error=0'], 'probability must be above 0'],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parseLoadArgs(argv, {})).toThrow(UsageError);
    expect(() => parseLoadArgs(argv, {})).toThrow(message);
  });

  test.each([
    [{ LOAD_USERS: 'alice' }, 'LOAD_USERS must be user:password'],
    [{ LOAD_USERS: 'alice:' }, 'LOAD_USERS must be user:password'],
    [{ LOAD_ADMIN: 'a:b,c:d' }, 'LOAD_ADMIN names one admin'],
  ])('environment %j is refused: %s', (env, message) => {
    expect(() => parseLoadArgs([], env)).toThrow(message);
  });
});

describe('share and parseFault', () => {
  test('shares: a percentage or a fraction', () => {
    expect([share('x', '10%'), share('x', '0.1'), share('x', '0'), share('x', '100%'), share('x', '1')]).toEqual([0.1, 0.1, 0, 1, 1]);
  });

  test('a timeout may hold for delayMs; the operation name may carry a colon (order.http:inventory)', () => {
    expect(parseFault('order.http:inventory.timeout:2000').rule).toEqual({ operation: 'http:inventory', effect: 'timeout', delayMs: 2000, probability: 1 });
  });
});
