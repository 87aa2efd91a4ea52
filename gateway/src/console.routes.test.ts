// The console at /: index.html never cached, hashed assets for a year, a strict CSP on both; a clear 404 when not built.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { consoleCsp } from './console.routes';
import { resolveRoute, type GatewayApp } from './gateway-app';
import { offlineGateway } from './testing/offline-gateway';

describe('the console served at /', () => {
  let dir: string;
  let gateway: GatewayApp;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'console-dist-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>saga console</title><script type="module" src="/assets/index-abc123.js"></script>');
    writeFileSync(join(dir, 'assets/index-abc123.js'), 'console.log("hi");');
    gateway = offlineGateway({ consoleDir: dir });
  });

  afterAll(async () => {
    await gateway.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / revalidated on every load, with a CSP that allows this origin only', async () => {
    const response = await request(gateway.app).get('/').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toBe(consoleCsp);
    expect(consoleCsp).toContain("script-src 'self'");
    expect(consoleCsp).not.toContain('unsafe-inline');
    expect(consoleCsp).not.toContain('unsafe-eval');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.text).toContain('saga console');
  });

  it('serves hashed assets as immutable for a year; an unknown one is a 404 error body', async () => {
    const asset = await request(gateway.app).get('/assets/index-abc123.js').expect(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-security-policy']).toBe(consoleCsp);
    const missing = await request(gateway.app).get('/assets/nothing-here.js').expect(404);
    expect(missing.body.error.code).toBeDefined();
  });

  it('says how to build the console when console/dist has no index.html', async () => {
    const bare = offlineGateway({ consoleDir: join(dir, 'nowhere') });
    const response = await request(bare.app).get('/').expect(404);
    expect(response.body.error.code).toBe('CONSOLE_NOT_BUILT');
    await bare.close();
  });

  it('routes the live order stream to the order service under its own metrics label', () => {
    expect(resolveRoute('/api/orders/stream')).toEqual({ upstream: 'order', target: '/orders/stream', admin: false, template: '/api/orders/stream' });
    expect(resolveRoute('/api/orders/0b8f7e52-3c1e-4a43-a3b5-1e0f4f3f8a11')?.template).toBe('/api/orders/*');
  });
});
