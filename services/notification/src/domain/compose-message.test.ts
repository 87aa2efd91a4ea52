// The customer-facing text: one message per kind, cancellation reasons in plain words.
import { composeMessage, describeReason } from './compose-message';

describe('composeMessage', () => {
  it('confirms an order by its id', () => {
    expect(composeMessage('ORDER_CONFIRMED', 'o-1')).toEqual({
      subject: 'Your order o-1 is confirmed',
      body: 'Good news: your order o-1 is confirmed and paid. We will let you know when it ships.',
    });
  });

  it('ignores a reason on a confirmation', () => {
    expect(composeMessage('ORDER_CONFIRMED', 'o-1', 'DECLINED')).toEqual(composeMessage('ORDER_CONFIRMED', 'o-1'));
  });

  it('explains a cancellation with its reason', () => {
    const message = composeMessage('ORDER_CANCELLED', 'o-2', 'DECLINED');
    expect(message.subject).toBe('Your order o-2 was cancelled');
    expect(message.body).toBe('We are sorry: your order o-2 was cancelled because the payment was declined. Any amount charged for it is refunded.');
  });
});

describe('describeReason', () => {
  it.each([
    ['OUT_OF_STOCK', 'some items are out of stock'],
    ['UNKNOWN_SKU', 'an item is no longer in our catalogue'],
    ['DECLINED', 'the payment was declined'],
    ['PROVIDER_UNAVAILABLE', 'the payment service was unavailable'],
    ['TIMEOUT', 'the payment could not be confirmed in time'],
    ['PAYMENT_DECLINED', 'the payment was declined'],
    ['PAYMENT_TIMEOUT', 'the payment could not be confirmed in time'],
    ['INVENTORY_TIMEOUT', 'we could not confirm the items were in stock in time'],
  ])('turns the code %s into words', (code, text) => {
    expect(describeReason(code)).toBe(text);
  });

  it('keeps the detail that follows a known code', () => {
    expect(describeReason('OUT_OF_STOCK: sku-1, sku-2')).toBe('some items are out of stock (sku-1, sku-2)');
  });

  it('shows an unknown code or free text as given', () => {
    expect(describeReason('FRAUD_SUSPECTED')).toBe('FRAUD_SUSPECTED');
    expect(describeReason('  customer asked us to  ')).toBe('customer asked us to');
  });

  it('says so when there is no reason', () => {
    expect(describeReason(undefined)).toBe('no reason was given');
    expect(describeReason('   ')).toBe('no reason was given');
  });
});
