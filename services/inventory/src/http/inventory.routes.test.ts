// Component test of the HTTP API: the real app on PGlite, driven through supertest.
import { adminBearer, bearerFor, testTokenVerifier } from '@saga/auth/testing';
import { InMemoryCommandBus } from '@saga/messaging';
import { createLogger } from '@saga/platform';
import request from 'supertest';
import { MAX_AVAILABLE } from '../domain/product';
import { createInventoryService } from '../inventory-service';
import { productListSchema, productSchema } from './inventory.routes';
import { startInventoryHarness, type InventoryHarness } from '../testing/inventory-harness';

let h: InventoryHarness;

beforeAll(async () => {
  h = await startInventoryHarness();
}, 30_000);
afterAll(() => h?.close());
beforeEach(() => h.reset());

describe('GET /products', () => {
  it('lists the seeded catalog sorted by sku', async () => {
    const res = await request(h.service.app).get('/products').expect(200);
    expect(productListSchema.strict().parse(res.body)).toEqual(res.body);
    expect(res.body.items.map((p: { sku: string }) => p.sku)).toEqual(['SKU-APPLE', 'SKU-BREAD', 'SKU-CHEESE', 'SKU-COFFEE', 'SKU-RARE', 'SKU-TEA']);
    expect(res.body.items[0]).toEqual({ sku: 'SKU-APPLE', name: 'Apple', priceCents: 120, available: 1000 });
  });
});

describe('GET /products/:sku', () => {
  it('returns one product', async () => {
    const res = await request(h.service.app).get('/products/SKU-RARE').expect(200);
    expect(productSchema.strict().parse(res.body)).toEqual(res.body);
    expect(res.body).toEqual({ sku: 'SKU-RARE', name: 'Rare truffle', priceCents: 15000, available: 1 });
  });

  it('answers 404 PRODUCT_NOT_FOUND for an unknown sku', async () => {
    const res = await request(h.service.app).get('/products/SKU-NOPE').expect(404);
    expect(res.body.error).toMatchObject({ code: 'PRODUCT_NOT_FOUND' });
  });
});

describe('POST /admin/restock', () => {
  it('adds units and returns the product', async () => {
    const res = await request(h.service.app).post('/admin/restock').set('Authorization', adminBearer()).send({ sku: 'SKU-RARE', quantity: 4 }).expect(200);
    expect(res.body).toEqual({ sku: 'SKU-RARE', name: 'Rare truffle', priceCents: 15000, available: 5 });
    expect(await h.availableOf('SKU-RARE')).toBe(5);
  });

  it('needs an admin token: none → 401, a customer → 403, and the stock is unchanged', async () => {
    const before = await h.availableOf('SKU-RARE');
    const anonymous = await request(h.service.app).post('/admin/restock').set('X-User-Roles', 'admin').send({ sku: 'SKU-RARE', quantity: 4 }).expect(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="saga-api"');
    const customer = await request(h.service.app).post('/admin/restock').set('Authorization', bearerFor('alice')).send({ sku: 'SKU-RARE', quantity: 4 }).expect(403);
    expect(customer.body.error).toEqual({ code: 'FORBIDDEN', message: 'Role admin required' });
    expect(await h.availableOf('SKU-RARE')).toBe(before);
  });

  it.each([
    [{ sku: 'SKU-RARE', quantity: 0 }, 'quantity'],
    [{ sku: 'SKU-RARE', quantity: 1.5 }, 'quantity'],
    [{ sku: 'SKU-RARE', quantity: '3' }, 'quantity'],
    [{ quantity: 3 }, 'sku'],
  ])('rejects %j with 400 naming the field', async (body, field) => {
    const res = await request(h.service.app).post('/admin/restock').set('Authorization', adminBearer()).send(body).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: field })]));
  });

  it('rejects malformed JSON with 400', async () => {
    const res = await request(h.service.app).post('/admin/restock').set('Authorization', adminBearer()).set('content-type', 'application/json').send('{"sku":').expect(400);
    expect(res.body.error.code).toBe('MALFORMED_JSON');
  });

  it('answers 404 for an unknown sku', async () => {
    const res = await request(h.service.app).post('/admin/restock').set('Authorization', adminBearer()).send({ sku: 'SKU-NOPE', quantity: 1 }).expect(404);
    expect(res.body.error.code).toBe('PRODUCT_NOT_FOUND');
  });

  it('answers 422 when the stock would pass the ceiling, and changes nothing', async () => {
    await h.db.query('UPDATE products SET available = $1 WHERE sku = $2', [MAX_AVAILABLE - 1, 'SKU-TEA']);
    const res = await request(h.service.app).post('/admin/restock').set('Authorization', adminBearer()).send({ sku: 'SKU-TEA', quantity: 2 }).expect(422);
    expect(res.body.error).toMatchObject({ code: 'STOCK_LIMIT_EXCEEDED', details: { max: MAX_AVAILABLE } });
    expect(await h.availableOf('SKU-TEA')).toBe(MAX_AVAILABLE - 1);
  });
});

describe('health', () => {
  it('is live and ready once started, checking the database and the consumer', async () => {
    await request(h.service.app).get('/health/live').expect(200);
    const res = await request(h.service.app).get('/health/ready').expect(200);
    expect(res.body).toEqual({ status: 'ready', checks: { database: { status: 'up' }, messaging: { status: 'up' } } });
  });
});

describe('readiness of a service that has not started', () => {
  it('is not ready: nothing consumes its commands yet', async () => {
    const idle = createInventoryService({ verifyToken: testTokenVerifier(), db: h.db, commandBus: new InMemoryCommandBus(), logger: createLogger({ service: 'inventory', level: 'silent' }) });
    const res = await request(idle.app).get('/health/ready').expect(503);
    expect(res.body.checks).toEqual({ database: { status: 'up' }, messaging: { status: 'down', error: 'command consumer is new' } });
  });
});
