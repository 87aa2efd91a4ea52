// The reply adapter's mapping: every participant reply becomes its saga input; anything else is poison.
import { PaymentReconciled, PaymentRefunded, ReserveStock, StockReserved, type MessageEnvelope } from '@saga/contracts';
import { PoisonMessageError } from '@saga/messaging';
import { toSagaInput } from './saga-replies.handler';

const ref = { orderId: 'o-1', sagaId: 's-1' };
const meta = { correlationId: 'o-1' };

describe('toSagaInput', () => {
  it.each([
    ['REFUNDED_CAPTURE', 'refunded a capture the cancelled order still held'],
    ['MISSING_CAPTURE', 'approved, but the provider holds no capture'],
  ] as const)('maps PaymentReconciled (%s) to a PAYMENT_RECONCILED note', (action, detail) => {
    const envelope = PaymentReconciled.create({ ...ref, action, amountCents: 240, chargeId: 'ch-1', detail }, meta);
    expect(toSagaInput(envelope)).toEqual({ sagaId: 's-1', input: { type: 'PAYMENT_RECONCILED', action, amountCents: 240, detail } });
  });

  it('maps the participants replies as before', () => {
    expect(toSagaInput(StockReserved.create({ ...ref, lines: [{ sku: 'SKU-TEA', quantity: 1 }] }, meta))).toEqual({ sagaId: 's-1', input: { type: 'STOCK_RESERVED' } });
    expect(toSagaInput(PaymentRefunded.create({ ...ref, amountCents: 0 }, meta))).toEqual({ sagaId: 's-1', input: { type: 'PAYMENT_REFUNDED', amountCents: 0 } });
  });

  it('refuses a malformed reconciliation note, and a message the orchestrator does not expect, as poison', () => {
    const valid = PaymentReconciled.create({ ...ref, action: 'MISSING_CAPTURE', amountCents: 1, detail: 'x' }, meta);
    const malformed: MessageEnvelope = { ...valid, payload: { ...ref, action: 'SOMETHING_ELSE', amountCents: 1, detail: 'x' } };
    expect(() => toSagaInput(malformed)).toThrow(PoisonMessageError);
    expect(() => toSagaInput(ReserveStock.create({ ...ref, lines: [{ sku: 'SKU-TEA', quantity: 1 }] }, meta))).toThrow(PoisonMessageError);
  });
});
