// The system view's pure rules: an instance from its two answers, a service's state, the outbox and dead-letter reads.
import { deadLetterView, instanceView, outboxView, serviceState } from './system-view';

const url = 'http://10.0.0.7:3001';
const noBreakers = { ok: true as const, status: 200, body: { items: [] } };

describe('instanceView', () => {
  it('is up only with a 200 ready report, and keeps its checks', () => {
    const ready = { ok: true as const, status: 200, body: { status: 'ready', checks: { db: { status: 'up' } } } };
    expect(instanceView(url, ready, noBreakers)).toEqual({ url, state: 'up', checks: { db: { status: 'up' } }, breakers: { status: 'ok', items: [] } });
  });

  it('is down with the reason: failing checks, no report at all, or no answer', () => {
    const notReady = { ok: true as const, status: 503, body: { status: 'not-ready', checks: { db: { status: 'up' }, started: { status: 'down', error: 'not started' }, shutdown: { status: 'down' } } } };
    expect(instanceView(url, notReady, noBreakers)).toMatchObject({ state: 'down', reason: 'not ready (started: not started; shutdown: down)' });
    expect(instanceView(url, { ok: true, status: 200, body: '<html>' }, noBreakers)).toMatchObject({ state: 'down', reason: 'answered 200 without a readiness report' });
    expect(instanceView(url, { ok: false, reason: 'fetch failed' }, noBreakers)).toMatchObject({ state: 'down', reason: 'did not answer its readiness probe: fetch failed' });
  });

  it("says why an instance's breakers are missing, apart from its readiness", () => {
    const ready = { ok: true as const, status: 200, body: { status: 'ready', checks: {} } };
    expect(instanceView(url, ready, { ok: false, reason: 'answered 404' }).breakers).toEqual({ status: 'unavailable', reason: 'answered 404' });
    expect(instanceView(url, ready, { ok: true, status: 200, body: { items: [{ name: 'x' }] } }).breakers).toEqual({ status: 'unavailable', reason: 'answered something other than its breakers' });
  });
});

describe('serviceState', () => {
  it('is up when every instance is, degraded when some are, down when none is or none is known', () => {
    expect(serviceState([{ state: 'up' }, { state: 'up' }])).toBe('up');
    expect(serviceState([{ state: 'up' }, { state: 'down' }])).toBe('degraded');
    expect(serviceState([{ state: 'down' }])).toBe('down');
    expect(serviceState([])).toBe('down');
  });
});

describe('outboxView and deadLetterView', () => {
  it('reads the outbox counts, or why there are none', () => {
    expect(outboxView({ ok: true, status: 200, body: { counts: { pending: 3, parked: 0 }, items: [] } })).toEqual({ status: 'ok', pending: 3, parked: 0 });
    expect(outboxView({ ok: true, status: 200, body: { counts: {} } })).toEqual({ status: 'unavailable', reason: 'answered something other than its outbox' });
    expect(outboxView(undefined)).toEqual({ status: 'unavailable', reason: 'no healthy instance' });
  });

  it('counts letters by state, partial when a broker could not be read, unavailable with the reason', () => {
    const items = ['dead-lettered', 'dead-lettered', 'redriven'].map((state) => ({ state })) as never[];
    expect(deadLetterView({ name: 'order', status: 'ok', listing: { items, counts: { 'dead-lettered': 0, redriven: 0 } } })).toEqual({ status: 'ok', 'dead-lettered': 2, redriven: 1 });
    expect(deadLetterView({ name: 'order', status: 'partial (kafka: timeout (5 s))', listing: { items: [], counts: { 'dead-lettered': 0, redriven: 0 } } })).toEqual({ status: 'partial', reason: 'kafka: timeout (5 s)', 'dead-lettered': 0, redriven: 0 });
    expect(deadLetterView({ name: 'order', status: 'unavailable (answered 503)' })).toEqual({ status: 'unavailable', reason: 'answered 503' });
  });
});
