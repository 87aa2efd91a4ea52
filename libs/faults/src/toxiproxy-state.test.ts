// Toxiproxy's answers parsed: a proxy as the real server describes it (extra fields ignored), numeric toxic settings
// only, no toxics as an empty list, and a malformed answer as a ToxiproxyError.
import { stateOf, ToxiproxyError } from './toxiproxy-state';

describe("Toxiproxy's proxy answers", () => {
  it('reads a proxy as toxiproxy-server 2.12 answers it', () => {
    const answer = {
      name: 'order-rabbitmq',
      listen: '127.0.0.1:36517',
      upstream: '127.0.0.1:5672',
      enabled: false,
      Logger: {},
      toxics: [{ attributes: { latency: 200, jitter: 5 }, name: 'latency', type: 'latency', stream: 'downstream', toxicity: 1 }],
    };
    expect(stateOf(answer, 'GET /proxies/order-rabbitmq')).toEqual({
      name: 'order-rabbitmq',
      listen: '127.0.0.1:36517',
      upstream: '127.0.0.1:5672',
      enabled: false,
      toxics: [{ name: 'latency', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 200, jitter: 5 } }],
    });
  });

  it('keeps numeric toxic settings only, and reads missing toxics as none', () => {
    const odd = { name: 'p', listen: 'l', upstream: 'u', enabled: true, toxics: [{ name: 't', type: 'x', stream: 'upstream', toxicity: 0.5, attributes: { rate: 10, label: 'nope' } }] };
    expect(stateOf(odd, 'x').toxics[0]?.attributes).toEqual({ rate: 10 });
    expect(stateOf({ name: 'p', listen: 'l', upstream: 'u', enabled: true, toxics: null }, 'x').toxics).toEqual([]);
    expect(stateOf({ name: 'p', listen: 'l', upstream: 'u', enabled: true }, 'x').toxics).toEqual([]);
  });

  it('refuses an answer that is not a proxy, as Toxiproxy failing', () => {
    const refused = (() => {
      try {
        return stateOf({ name: 'p', enabled: 'yes' }, 'POST /proxies');
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(ToxiproxyError);
    expect(refused).toMatchObject({ status: 200, message: expect.stringContaining('Toxiproxy answered POST /proxies with an unexpected body') });
  });
});
