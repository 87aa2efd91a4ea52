// The double must be strict, or a casing bug in the adapter would pass the contract suite.
import { ConsulDouble } from './consul-double';

const valid = { Name: 'order', ID: 'order-1', Address: '127.0.0.1', Port: 3001, Tags: [], Meta: { version: '1' }, Check: { HTTP: 'http://127.0.0.1:3001/health/ready', Interval: '10s', Timeout: '2s', DeregisterCriticalServiceAfter: '1m' } };

describe('Consul double strictness', () => {
  let double: ConsulDouble;
  const put = (path: string, body?: unknown) => fetch(`${double.url}${path}`, { method: 'PUT', body: body === undefined ? undefined : JSON.stringify(body) });
  beforeAll(async () => {
    double = await ConsulDouble.start();
  });
  afterAll(() => double.close());

  it('accepts a registration spelled as in the docs', async () => {
    expect((await put('/v1/agent/service/register', valid)).status).toBe(200);
  });

  it.each([
    ['a lower-case field', { ...valid, Name: undefined, name: 'order' }, /unknown field "name"/],
    ['an unknown field', { ...valid, Version: '1' }, /Request decode failed: json: unknown field "Version"/],
    ['an unknown check field', { ...valid, Check: { ...valid.Check, Http: 'x' } }, /unknown field "Http"/],
    ['a missing Name', { ...valid, Name: undefined }, /Missing service name/],
    ['a duration without unit', { ...valid, Check: { ...valid.Check, Interval: '10' } }, /invalid duration "10"/],
    ['a numeric duration', { ...valid, Check: { ...valid.Check, Timeout: 2 } }, /Request decode failed/],
    ['a string port', { ...valid, Port: '3001' }, /Request decode failed/],
    ['a check without Interval', { ...valid, Check: { HTTP: 'http://127.0.0.1:1/h' } }, /Interval/],
    ['non-JSON', 'not json', /Request decode failed/],
  ])('rejects %s with 400', async (_label, body, message) => {
    const response = await (typeof body === 'string' ? fetch(`${double.url}/v1/agent/service/register`, { method: 'PUT', body }) : put('/v1/agent/service/register', body));
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(message);
  });

  it('answers 404 for deregistering an unknown id, 405 for the wrong method', async () => {
    const response = await put('/v1/agent/service/deregister/ghost');
    expect(response.status).toBe(404);
    expect(await response.text()).toMatch(/Unknown service ID "ghost"/);
    expect((await fetch(`${double.url}/v1/agent/service/register`)).status).toBe(405);
  });

  it('filters by check status only when passing is asked for, and sets X-Consul-Index', async () => {
    await put('/v1/agent/service/register', { ...valid, ID: 'order-2' });
    double.setCheckStatus('order-2', 'passing');
    const all = await fetch(`${double.url}/v1/health/service/order`);
    const passing = await fetch(`${double.url}/v1/health/service/order?passing=true`);
    expect(((await all.json()) as unknown[]).length).toBe(2);
    expect(((await passing.json()) as Array<{ Service: { ID: string } }>).map((e) => e.Service.ID)).toEqual(['order-2']);
    expect(Number(passing.headers.get('X-Consul-Index'))).toBeGreaterThan(0);
  });

  it('holds a blocking query until a change, or until wait elapses', async () => {
    const first = await fetch(`${double.url}/v1/health/service/order?passing=true`);
    const index = first.headers.get('X-Consul-Index');
    let started = Date.now();
    const idle = await fetch(`${double.url}/v1/health/service/order?passing=true&index=${index}&wait=300ms`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(idle.headers.get('X-Consul-Index')).toBe(index);
    started = Date.now();
    const pending = fetch(`${double.url}/v1/health/service/order?passing=true&index=${index}&wait=10s`);
    setTimeout(() => double.setCheckStatus('order-1', 'passing'), 100);
    const changed = await pending;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(Number(changed.headers.get('X-Consul-Index'))).toBeGreaterThan(Number(index));
    expect((await fetch(`${double.url}/v1/health/service/order?index=abc`)).status).toBe(400);
  });
});
