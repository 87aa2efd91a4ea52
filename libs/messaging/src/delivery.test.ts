// Unit tests for the shared delivery rule: retries, poison detection and clean stopping.
import { createEnvelope, encodeEnvelope } from '@saga/contracts';
import { deliver, retryDelay } from './delivery';
import { PoisonMessageError } from './ports/delivery.types';

const policy = { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 250 };
const raw = encodeEnvelope(createEnvelope('Ping', 1, { n: 1 }, { correlationId: 'c-1' }));
const noSleep = async () => undefined;

describe('deliver', () => {
  it('retries a failing handler and reports success once it passes', async () => {
    const attempts: number[] = [];
    const outcome = await deliver({
      raw, policy, isStopped: () => false, sleep: noSleep,
      handle: async (_envelope, attempt) => { attempts.push(attempt); if (attempt < 3) throw new Error('db down'); },
    });
    expect(outcome).toEqual({ kind: 'processed' });
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('dead-letters with the last error once the attempts are used up', async () => {
    const outcome = await deliver({ raw, policy, isStopped: () => false, sleep: noSleep, handle: async () => { throw new Error('still down'); } });
    expect(outcome).toMatchObject({ kind: 'dead-letter', reason: 'HANDLER_FAILED after 3 attempts: still down' });
  });

  it('dead-letters a poison message at once, without retrying', async () => {
    let calls = 0;
    const outcome = await deliver({ raw, policy, isStopped: () => false, sleep: noSleep, handle: async () => { calls += 1; throw new PoisonMessageError('quantity must be positive'); } });
    expect(outcome).toMatchObject({ kind: 'dead-letter', reason: 'POISON: quantity must be positive' });
    expect(calls).toBe(1);
  });

  it('dead-letters bytes that are not an envelope without calling the handler', async () => {
    const handle = jest.fn();
    const outcome = await deliver({ raw: 'not json', policy, isStopped: () => false, handle });
    expect(outcome).toMatchObject({ kind: 'dead-letter', reason: expect.stringMatching(/^INVALID_ENVELOPE/) });
    expect(handle).not.toHaveBeenCalled();
  });

  it('gives up without an outcome when the subscription stops between retries', async () => {
    let stopped = false;
    const outcome = await deliver({ raw, policy, isStopped: () => stopped, sleep: async () => { stopped = true; }, handle: async () => { throw new Error('x'); } });
    expect(outcome).toEqual({ kind: 'stopped' });
  });
});

describe('retryDelay', () => {
  it('grows exponentially up to the cap, scaled by jitter', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelay(attempt, policy, () => 1))).toEqual([100, 200, 250, 250]);
    expect(retryDelay(2, policy, () => 0.5)).toBe(100);
    expect(retryDelay(5, policy, () => 0)).toBe(0);
  });
});
