// /api/docs in a real browser: Swagger UI renders every operation of the contract, from this origin alone, without errors.
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { buildOpenApi, type GatewayApp } from '@saga/gateway';
import { offlineGateway } from '@saga/gateway/testing';
import { launchChromium } from './chromium';

let gateway: GatewayApp;
let server: Server;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  gateway = offlineGateway();
  server = gateway.app.listen(0, '127.0.0.1');
  await new Promise((ready) => server.once('listening', ready));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((closed) => server?.close(closed));
  await gateway?.close();
});

describe('the API reference page', () => {
  it('renders every documented operation from local assets, with no console error and no request elsewhere', async () => {
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    const foreignRequests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    // Offline by construction: anything not from the gateway itself is recorded and refused.
    await page.route('**/*', (route) => {
      if (route.request().url().startsWith(origin)) return route.continue();
      foreignRequests.push(route.request().url());
      return route.abort();
    });

    await page.goto(`${origin}/api/docs`);
    const operations = Object.values(buildOpenApi().paths as Record<string, object>).flatMap((item) => Object.keys(item));
    await page.locator('.opblock').nth(operations.length - 1).waitFor({ timeout: 20_000 });
    expect(await page.locator('.opblock').count()).toBe(operations.length);

    expect(await page.locator('.info .title').innerText()).toContain('saga-platform API');
    // One block per operation, with its method and path as the contract has them.
    const rendered = await page.locator('.opblock-summary-path').allInnerTexts();
    expect(rendered.map((path) => path.replace(/\u200b/g, ''))).toEqual(expect.arrayContaining(['/api/orders', '/api/orders/{orderId}', '/auth/token', '/api/admin/faults/{service}/{id}']));
    // The "Authorize" button: the bearer scheme is there to try requests with a token.
    await expect(page.locator('.btn.authorize').count()).resolves.toBe(1);
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);

    const screenshots = join(__dirname, '../../.local/screenshots');
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: join(screenshots, 'api-docs.png'), fullPage: false });
    await page.close();
  }, 60_000);
});
