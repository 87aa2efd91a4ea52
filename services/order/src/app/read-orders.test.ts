// What a customer reads of a saga step's detail: reason codes, not the provider's or the platform's error text.
import { customerDetail } from './read-orders';

describe('customerDetail', () => {
  it.each([
    [{ step: 'CHARGE_PAYMENT', status: 'FAILED', detail: 'PROVIDER_UNAVAILABLE: connect ECONNREFUSED 10.0.0.5:4010' }, 'PROVIDER_UNAVAILABLE'],
    [{ step: 'CHARGE_PAYMENT', status: 'FAILED', detail: 'DECLINED: Your card was declined (generic_decline)' }, 'DECLINED'],
    [{ step: 'REFUND_PAYMENT', status: 'FAILED', detail: 'TIMEOUT' }, 'TIMEOUT'],
    [{ step: 'CHARGE_PAYMENT', status: 'FAILED', detail: 'socket hang up' }, undefined],
    [{ step: 'RESERVE_STOCK', status: 'FAILED', detail: 'OUT_OF_STOCK: SKU-APPLE' }, 'OUT_OF_STOCK: SKU-APPLE'],
    [{ step: 'CHARGE_PAYMENT', status: 'SUCCEEDED', detail: 'pay-1' }, 'pay-1'],
    [{ step: 'CREATE_ORDER', status: 'SUCCEEDED' }, undefined],
  ])('%o -> %p', (entry, shown) => {
    expect(customerDetail(entry)).toBe(shown);
  });
});
