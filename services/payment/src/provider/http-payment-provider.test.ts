// The provider's base URL as a function (discovery): asked per call; none known -> PROVIDER_UNAVAILABLE, nothing sent.
import { createHttpPaymentProvider } from './http-payment-provider';

describe('createHttpPaymentProvider with a per-call base URL', () => {
  it('asks for the base URL on every call and answers PROVIDER_UNAVAILABLE when none is known', async () => {
    const urls: Array<string | undefined> = ['http://a:1/', 'http://b:2', undefined];
    const called: string[] = [];
    const fetchStub = (async (url: string | URL | Request) => {
      called.push(String(url));
      return new Response(JSON.stringify({ data: [] }), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const provider = createHttpPaymentProvider({ baseUrl: () => urls.shift(), timeoutMs: 500, fetch: fetchStub });
    try {
      expect(await provider.findCharge('charge:o-1')).toEqual({ ok: true, charge: null });
      expect(await provider.findCharge('charge:o-2')).toEqual({ ok: true, charge: null });
      const none = await provider.findCharge('charge:o-3');
      expect(none).toMatchObject({ ok: false, reason: 'PROVIDER_UNAVAILABLE' });
      expect(called.map((u) => new URL(u).host)).toEqual(['a:1', 'b:2']);
    } finally {
      provider.shutdown();
    }
  });
});
