// /api/openapi.json and /api/docs through createGatewayApp: public (no token), right content types, assets served locally.
import request from 'supertest';
import type { GatewayApp } from '../gateway-app';
import { offlineGateway } from '../testing/offline-gateway';
import { buildOpenApi } from './build-openapi';

let gateway: GatewayApp;

beforeAll(() => {
  gateway = offlineGateway();
});
afterAll(() => gateway.close());

describe('the API contract routes', () => {
  it('serves the OpenAPI document at /api/openapi.json without a token', async () => {
    const res = await request(gateway.app).get('/api/openapi.json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual(buildOpenApi());
    expect(res.headers['ratelimit-policy']).toBeDefined();
  });

  it('serves the Swagger UI page and its assets from this origin', async () => {
    const page = await request(gateway.app).get('/api/docs').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const scripts = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(scripts.every((src) => src.startsWith('/api/docs/'))).toBe(true);
    const bundle = await request(gateway.app).get('/api/docs/assets/swagger-ui-bundle.js').expect(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    const css = await request(gateway.app).get('/api/docs/assets/swagger-ui.css').expect(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    const init = await request(gateway.app).get('/api/docs/init.js').expect(200);
    expect(init.text).toContain("url: '/api/openapi.json'");
  });

  it('answers an unknown asset with the JSON 404, and the rest of /api still needs a token', async () => {
    const missing = await request(gateway.app).get('/api/docs/assets/nope.js').expect(404);
    expect(missing.body.error).toMatchObject({ code: expect.any(String) });
    await request(gateway.app).get('/api/orders').expect(401);
  });
});
