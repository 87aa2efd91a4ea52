// Unit tests for the envelope: what a consumer gets back from bytes, and why a poison message is rejected.
import { z } from 'zod';
import { createEnvelope, decodeEnvelope, encodeEnvelope } from './envelope';
import { ContractViolationError, defineMessage } from './message-contract';

const fixedDeps = { now: () => new Date('2026-01-02T03:04:05.000Z'), newId: () => '5f0c7c1e-2a47-4a59-9d1b-3f3d3c1b2a10' };

describe('message envelope', () => {
  it('round-trips through bytes unchanged', () => {
    const envelope = createEnvelope('OrderCreated', 1, { orderId: 'o-1' }, { correlationId: 'o-1', causationId: 'req-9' }, fixedDeps);
    const decoded = decodeEnvelope(encodeEnvelope(envelope));
    expect(decoded).toEqual({ ok: true, envelope });
    expect(envelope).toMatchObject({ messageId: fixedDeps.newId(), occurredAt: '2026-01-02T03:04:05.000Z', version: 1 });
  });

  it.each([
    ['not JSON', Buffer.from('{oops'), /not JSON/],
    ['empty', null, /empty message/],
    ['missing messageId', JSON.stringify({ type: 'X', version: 1, occurredAt: '2026-01-01T00:00:00Z', correlationId: 'c' }), /messageId/],
    ['version zero', JSON.stringify({ messageId: fixedDeps.newId(), type: 'X', version: 0, occurredAt: '2026-01-01T00:00:00Z', correlationId: 'c' }), /version/],
  ])('rejects a poison message (%s) with a reason instead of throwing', (_name, raw, reason) => {
    const decoded = decodeEnvelope(raw);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toMatch(reason);
  });
});

describe('message contracts', () => {
  const StockReserved = defineMessage('StockReserved', 1, z.object({ orderId: z.string(), lines: z.array(z.object({ sku: z.string(), quantity: z.number().int().positive() })) }));

  it('creates a valid envelope and refuses to create an invalid one', () => {
    const envelope = StockReserved.create({ orderId: 'o-1', lines: [{ sku: 'A', quantity: 2 }] }, { correlationId: 'o-1' }, fixedDeps);
    expect(envelope.type).toBe('StockReserved');
    expect(() => StockReserved.create({ orderId: 'o-1', lines: [{ sku: 'A', quantity: -1 }] }, { correlationId: 'o-1' })).toThrow(ContractViolationError);
  });

  it('parses what it created, and names the reason when the payload, type or version is wrong', () => {
    const envelope = StockReserved.create({ orderId: 'o-1', lines: [] }, { correlationId: 'o-1' }, fixedDeps);
    expect(StockReserved.parse(envelope)).toEqual({ ok: true, message: envelope });
    expect(StockReserved.parse({ ...envelope, payload: { orderId: 7 } })).toMatchObject({ ok: false, reason: expect.stringMatching(/orderId/) });
    expect(StockReserved.parse({ ...envelope, version: 2 })).toMatchObject({ ok: false, reason: expect.stringMatching(/v2 is not supported/) });
    expect(StockReserved.parse({ ...envelope, type: 'Other' })).toMatchObject({ ok: false, reason: expect.stringMatching(/expected type/) });
  });
});
