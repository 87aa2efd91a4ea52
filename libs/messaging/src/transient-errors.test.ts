// What counts as "infrastructure briefly away": PostgreSQL restarts, refused or reset connections, pool timeouts.
import { isTransientInfrastructureError } from './transient-errors';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isTransientInfrastructureError', () => {
  it.each(['57P01', '57P02', '57P03', '53300', '08006', '08001', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN'])('%s is transient', (code) => {
    expect(isTransientInfrastructureError(withCode(code))).toBe(true);
  });

  it.each([
    'Connection terminated unexpectedly',
    'timeout exceeded when trying to connect',
    'Connection terminated due to connection timeout',
    'Query read timeout',
  ])('node-postgres "%s" is transient', (message) => {
    expect(isTransientInfrastructureError(new Error(message))).toBe(true);
  });

  it('looks through causes and aggregate errors (fetch failed → ECONNREFUSED, happy eyeballs)', () => {
    expect(isTransientInfrastructureError(new TypeError('fetch failed', { cause: withCode('ECONNREFUSED') }))).toBe(true);
    expect(isTransientInfrastructureError(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect'))).toBe(true);
    expect(isTransientInfrastructureError(new Error('wrapped', { cause: withCode('57P03') }))).toBe(true);
  });

  it.each([
    ['a bug', new Error('Cannot read properties of undefined')],
    ['a unique violation', withCode('23505')],
    ['a statement timeout', withCode('57014', 'canceling statement due to statement timeout')],
    ['a serialization failure (handleOnce reruns those)', withCode('40001')],
    ['a thrown string', 'nope'],
  ])('%s is not', (_name, error) => {
    expect(isTransientInfrastructureError(error)).toBe(false);
  });

  it('survives a cause cycle', () => {
    const a: Error & { cause?: unknown } = new Error('a');
    a.cause = new Error('b', { cause: a });
    expect(isTransientInfrastructureError(a)).toBe(false);
  });
});
