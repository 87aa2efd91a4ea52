// The OpenAPI document: valid for the official parser, and the committed docs/openapi.json is what the code generates.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileErrors, validate } from '@readme/openapi-parser';
import { buildOpenApi } from './build-openapi';

const committed = join(__dirname, '..', '..', '..', 'docs', 'openapi.json');

describe('the OpenAPI document', () => {
  it('is what `npm run openapi:render` wrote to docs/openapi.json (regenerate it when a route or schema changes)', () => {
    expect(readFileSync(committed, 'utf8')).toBe(`${JSON.stringify(buildOpenApi(), null, 2)}\n`);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await validate(structuredClone(buildOpenApi()) as Parameters<typeof validate>[0]);
    if (!result.valid) throw new Error(compileErrors(result));
    expect(result.valid).toBe(true);
  });

  it('documents every public route with its schemas, security and standard errors', () => {
    const doc = buildOpenApi() as { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: Record<string, unknown>; security?: unknown[] }>>; components: { securitySchemes: object } };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/auth/token', '/api/orders', '/api/orders/{orderId}', '/api/inventory/products/{sku}', '/api/payments', '/api/notifications', '/api/admin/dead-letters/{id}/redrive', '/api/admin/system']));
    expect(doc.paths['/auth/token']?.post?.security).toEqual([]);
    expect(doc.paths['/api/orders']?.post?.parameters).toEqual([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]);
    expect(doc.paths['/api/orders']?.get?.parameters?.map((p) => p.name)).toEqual(['limit', 'cursor']);
    expect(Object.keys(doc.paths['/api/admin/restock']?.post?.responses ?? {})).toEqual(expect.arrayContaining(['200', '401', '403', '413', '422', '429', '503', '504']));
    expect(doc.components.securitySchemes).toEqual({ bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }) });
  });
});
