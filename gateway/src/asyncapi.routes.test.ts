// GET /api/asyncapi.json through the gateway app: public (no token), the document of docs/asyncapi.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { GatewayApp } from './gateway-app';
import { offlineGateway } from './testing/offline-gateway';

let gateway: GatewayApp;

beforeAll(() => {
  gateway = offlineGateway();
});

afterAll(() => gateway.close());

describe('GET /api/asyncapi.json', () => {
  it('serves the committed AsyncAPI document without a token', async () => {
    const res = await request(gateway.app).get('/api/asyncapi.json').expect(200).expect('content-type', /application\/json/);
    expect(res.body).toEqual(JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'asyncapi.json'), 'utf8')));
    expect((res.body as { asyncapi: string }).asyncapi).toMatch(/^3\./);
  });

  it('leaves the rest of /api behind authentication', async () => {
    await request(gateway.app).get('/api/orders').expect(401);
  });
});
