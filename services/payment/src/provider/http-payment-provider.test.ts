// The HTTP adapter to the provider: per-call base URL (discovery), and what each kind of answer means for the money.
import { createHttpPaymentProvider } from './http-payment-provider';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** An adapter whose every call is answered by `answer`. */
function answering(answer: (url: string, init?: RequestInit) => Response) {
  return createHttpPaymentProvider({ baseUrl: 'http://provider:1', timeoutMs: 500, fetch: (async (url: string | URL | Request, init?: RequestInit) => answer(String(url), init)) as typeof fetch });
}

const charge = { idempotencyKey: 'charge:o-1', orderId: 'o-1', amountCents: 120, currency: 'EUR', token: 'tok_visa' };

describe('createHttpPaymentProvider with a per-call base URL', () => {
  it('asks for the base URL on every call and answers PROVIDER_UNAVAILABLE when none is known', async () => {
    const urls: Array<string | undefined> = ['http://a:1/', 'http://b:2', undefined];
    const called: string[] = [];
    const fetchStub = (async (url: string | URL | Request) => {
      called.push(String(url));
      return json(200, { data: [] });
    }) as typeof fetch;
    const provider = createHttpPaymentProvider({ baseUrl: () => urls.shift(), timeoutMs: 500, fetch: fetchStub });
    try {
      expect(await provider.listCharges('o-1')).toEqual({ ok: true, charges: [] });
      expect(await provider.listCharges('o-2')).toEqual({ ok: true, charges: [] });
      const none = await provider.listCharges('o-3');
      expect(none).toMatchObject({ ok: false, reason: 'PROVIDER_UNAVAILABLE' });
      expect(called.map((u) => new URL(u).host)).toEqual(['a:1', 'b:2']);
    } finally {
      provider.shutdown();
    }
  });
});

describe('charge answers', () => {
  it('sends the order id as metadata, so the books can be read per order', async () => {
    let sent: unknown;
    const provider = answering((_url, init) => {
      sent = JSON.parse(String(init?.body));
      return json(201, { id: 'ch_1', amount: 120, status: 'succeeded' });
    });
    expect(await provider.charge(charge)).toEqual({ ok: true, chargeId: 'ch_1' });
    expect(sent).toMatchObject({ amount: 120, metadata: { order_id: 'o-1' } });
    provider.shutdown();
  });

  it('a 2xx it cannot read is an unknown outcome (TIMEOUT: refund first), never "not charged"', async () => {
    for (const body of [{ unexpected: true }, { id: 'ch_1', amount: 120, status: 'pending' }]) {
      const provider = answering(() => json(201, body));
      expect(await provider.charge(charge)).toMatchObject({ ok: false, reason: 'TIMEOUT', message: expect.stringContaining('outcome unknown') });
      provider.shutdown();
    }
    const garbled = answering(() => new Response('<html>ok</html>', { status: 200 }));
    expect(await garbled.charge(charge)).toMatchObject({ ok: false, reason: 'TIMEOUT' });
    garbled.shutdown();
  });

  it('a key voided by the order\'s refund is a refusal: certainly nothing was taken', async () => {
    const provider = answering(() => json(409, { error: { type: 'invalid_request_error', code: 'idempotency_key_voided', message: 'voided' } }));
    expect(await provider.charge(charge)).toMatchObject({ ok: false, reason: 'PROVIDER_UNAVAILABLE', message: expect.stringContaining('voided') });
    provider.shutdown();
  });
});

describe('voidCharge and listCharges', () => {
  it('voidCharge names the charge the key made, or says the key is voided', async () => {
    const found = answering(() => json(200, { object: 'charge_void', voided: false, charge: { id: 'ch_1', amount: 120, amount_refunded: 20, status: 'succeeded', metadata: { order_id: 'o-1' } } }));
    expect(await found.voidCharge('charge:o-1')).toEqual({ ok: true, voided: false, charge: { chargeId: 'ch_1', orderId: 'o-1', amountCents: 120, refundedCents: 20, status: 'succeeded' } });
    found.shutdown();
    const voided = answering(() => json(200, { object: 'charge_void', voided: true, charge: null }));
    expect(await voided.voidCharge('charge:o-1')).toEqual({ ok: true, voided: true });
    voided.shutdown();
    const broken = answering(() => json(400, { error: { type: 'invalid_request_error', code: 'parameter_invalid' } }));
    expect(await broken.voidCharge('charge:o-1')).toMatchObject({ ok: false, reason: 'PROVIDER_UNAVAILABLE' });
    broken.shutdown();
  });

  it('listCharges asks by order id and reads refunds', async () => {
    let asked = '';
    const provider = answering((url) => {
      asked = url;
      return json(200, { data: [{ id: 'ch_2', amount: 120, amount_refunded: 120, status: 'succeeded', metadata: { order_id: 'o 1' } }] });
    });
    expect(await provider.listCharges('o 1')).toEqual({ ok: true, charges: [{ chargeId: 'ch_2', orderId: 'o 1', amountCents: 120, refundedCents: 120, status: 'succeeded' }] });
    expect(new URL(asked).searchParams.get('order_id')).toBe('o 1');
    provider.shutdown();
  });
});
