// The provider as deployed (main.ts) on real PostgreSQL: its books survive a restart, and concurrent requests never
// charge twice for one key, refund more than was charged, or charge on a voided key.
import { createPgClient, type SqlClient } from '@saga/db';
import { start, type ProviderConfig } from './main';
import { createTempDatabase, type TempDatabase } from '@saga/db/testing';

jest.setTimeout(60_000);

let database: TempDatabase;
let inspector: SqlClient;
let provider: Awaited<ReturnType<typeof start>> | undefined;

const config = (): ProviderConfig => ({
  PORT: 0,
  DATABASE_URL: database.url,
  PROVIDER_DECLINE_ABOVE_CENTS: 100_000,
  PROVIDER_LATENCY_MS: 0,
  PROVIDER_UNAVAILABLE: false,
  PROVIDER_ADMIN_ENABLED: true,
  LOG_LEVEL: 'silent',
});
const url = (path: string) => `http://127.0.0.1:${provider?.port}${path}`;
const post = async (path: string, body: object, key?: string) => {
  const res = await fetch(url(path), { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) }, body: JSON.stringify(body) });
  return { status: res.status, replayed: res.headers.get('idempotent-replayed') === 'true', body: (await res.json()) as Record<string, unknown> & { id?: string } };
};
const get = async (path: string) => (await (await fetch(url(path))).json()) as { data: Array<{ id: string; amount_refunded: number }> };
const countCharges = async (key: string) => (await inspector.query<{ n: string }>('SELECT count(*) AS n FROM provider_charges WHERE idempotency_key = $1', [key])).rows[0]?.n;

beforeAll(async () => {
  database = await createTempDatabase('provider_it');
  inspector = await createPgClient({ connectionString: database.url, applicationName: 'provider-int-test' });
  provider = await start(config());
});

afterAll(async () => {
  await provider?.stop();
  await inspector?.close();
  await database?.drop();
});

it('remembers a charge and its key across a restart: the retry replays the same charge, the order has one', async () => {
  const body = { amount: 2500, currency: 'eur', source: 'tok_visa', metadata: { order_id: 'order-restart' } };
  const first = await post('/v1/charges', body, 'charge:order-restart');
  expect(first.status).toBe(201);

  const result = await provider?.stop();
  expect(result).toMatchObject({ ok: true });
  provider = await start(config());

  const retry = await post('/v1/charges', body, 'charge:order-restart');
  expect(retry).toMatchObject({ status: 201, replayed: true, body: { id: first.body.id } });
  const books = await get('/v1/charges?order_id=order-restart');
  expect(books.data).toEqual([expect.objectContaining({ id: first.body.id, amount: 2500, amount_refunded: 0, refunded: false, status: 'succeeded', metadata: { order_id: 'order-restart' } })]);
});

it('makes exactly one charge for ten concurrent requests with one key', async () => {
  const body = { amount: 1000, currency: 'eur', source: 'tok_visa', metadata: { order_id: 'order-race' } };
  const answers = await Promise.all(Array.from({ length: 10 }, () => post('/v1/charges', body, 'charge:order-race')));
  expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
  expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
  expect(answers.filter((a) => a.replayed)).toHaveLength(9);
  expect(await countCharges('charge:order-race')).toBe('1');
});

it('never refunds more than was charged, whatever concurrent refunds ask', async () => {
  const { body: charge } = await post('/v1/charges', { amount: 4200, currency: 'eur', source: 'tok_visa' }, 'charge:refund-race');
  const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => post('/v1/refunds', { charge: charge.id, amount: 1000 }, `refund:race-${i}`)));
  expect(answers.filter((a) => a.status === 201)).toHaveLength(4);
  expect(answers.filter((a) => a.status === 400).map((a) => (a.body.error as { code: string }).code)).toEqual(['amount_too_large', 'amount_too_large']);
  const { rows } = await inspector.query<{ amount_refunded: number; refunds: string }>(
    'SELECT c.amount_refunded, (SELECT sum(amount) FROM provider_refunds r WHERE r.charge_id = c.id) AS refunds FROM provider_charges c WHERE c.id = $1',
    [charge.id as string],
  );
  expect(rows).toEqual([{ amount_refunded: 4000, refunds: '4000' }]);
});

it('decides a void and a charge with the same key one after the other: never a charge on a voided key', async () => {
  const body = { amount: 700, currency: 'eur', source: 'tok_visa' };
  for (let i = 0; i < 10; i++) {
    const key = `charge:void-race-${i}`;
    const [charged, voided] = await Promise.all([post('/v1/charges', body, key), post('/v1/charges/void', { idempotency_key: key })]);
    const count = await countCharges(key);
    if (voided.body.voided) expect([charged.status, count]).toEqual([409, '0']);
    else expect([charged.status, count, (voided.body.charge as { id: string }).id]).toEqual([201, '1', charged.body.id]);
  }
});

it('takes a latency at run time on /admin/latency (PROVIDER_ADMIN_ENABLED)', async () => {
  expect((await post('/admin/latency', { latencyMs: 200 })).body).toEqual({ latencyMs: 200 });
  const started = Date.now();
  expect((await post('/v1/charges', { amount: 100, currency: 'eur', source: 'tok_visa' }, 'charge:slow')).status).toBe(201);
  expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  await post('/admin/latency', { latencyMs: 0 });
});
