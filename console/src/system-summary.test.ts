// The system view in words: outbox and dead-letter cells, breakers with their holder, the headline.
import { breakerRows, breakerText, deadLetterText, headline, outboxText } from './system-summary';
import type { BreakerView, ServiceView, SystemView } from './types';

const breaker = (name: string, state: BreakerView['state'] = 'closed'): BreakerView => ({ name, state, fires: 0, failures: 0, rejects: 0 });
const service = (name: string, overrides: Partial<ServiceView> = {}): ServiceView => ({
  name,
  state: 'up',
  instancesFrom: 'registry',
  instances: [{ url: `http://127.0.0.1:1/${name}`, state: 'up', breakers: { status: 'ok', items: [] } }],
  gatewayBreaker: breaker(name),
  outbox: { status: 'ok', pending: 0, parked: 0 },
  deadLetters: { status: 'ok', 'dead-lettered': 0, redriven: 0 },
  ...overrides,
});
const view = (...services: ServiceView[]): SystemView => ({ checkedAt: '2030-01-01T00:00:00.000Z', services });

describe('system summary', () => {
  it('words the outbox and dead-letter reads, or why they are missing', () => {
    expect(outboxText({ status: 'ok', pending: 3, parked: 1 })).toBe('3 pending, 1 parked');
    expect(outboxText({ status: 'unavailable', reason: 'answered 503' })).toBe('unavailable (answered 503)');
    expect(deadLetterText({ status: 'ok', 'dead-lettered': 2, redriven: 1 })).toBe('2 waiting, 1 re-driven');
    expect(deadLetterText({ status: 'partial', reason: 'kafka: down', 'dead-lettered': 0, redriven: 0 })).toBe('0 waiting, 0 re-driven (partial: kafka: down)');
    expect(deadLetterText({ status: 'unavailable', reason: 'fetch failed' })).toBe('unavailable (fetch failed)');
  });

  it("lists the gateway's breaker, then each instance's own, naming the instance only when there are several", () => {
    const payment = service('payment', { instances: [{ url: 'http://a', state: 'up', breakers: { status: 'ok', items: [breaker('payment-provider', 'open')] } }, { url: 'http://b', state: 'down', breakers: { status: 'unavailable', reason: 'fetch failed' } }] });
    expect(breakerRows(payment).map(breakerText)).toEqual(['gateway → payment: closed', 'payment http://a → payment-provider: open']);
    const order = service('order', { instances: [{ url: 'http://c', state: 'up', breakers: { status: 'ok', items: [breaker('inventory')] } }] });
    expect(breakerRows(order).map(breakerText)).toEqual(['gateway → order: closed', 'order → inventory: closed']);
  });

  it('says all is well only when every service is up, every breaker closed and no letter waits', () => {
    expect(headline(view(service('order'), service('inventory')))).toEqual({ healthy: true, text: 'All 2 services up, every breaker closed, no dead letter waiting.' });
    const sick = view(
      service('order', { state: 'degraded', gatewayBreaker: breaker('order', 'half-open') }),
      service('inventory', { deadLetters: { status: 'ok', 'dead-lettered': 1, redriven: 4 } }),
    );
    expect(headline(sick)).toEqual({ healthy: false, text: 'Attention: order degraded; gateway → order: half-open; 1 dead letter waiting.' });
  });
});
