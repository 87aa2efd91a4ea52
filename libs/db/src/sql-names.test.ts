// Channel and table names are checked before they are pasted into SQL text.

import { assertChannelName, quoteTableName } from './sql-names';

describe('sql names', () => {
  it('accepts lower-case channel names and rejects anything PostgreSQL would fold or parse', () => {
    expect(assertChannelName('outbox_orders')).toBe('outbox_orders');
    for (const bad of ['Outbox', 'outbox-orders', '1outbox', 'a; DROP TABLE x', '', 'x'.repeat(64)]) {
      expect(() => assertChannelName(bad)).toThrow(/Invalid channel name/);
    }
  });

  it('quotes table and schema.table names, rejecting the rest', () => {
    expect(quoteTableName('schema_migrations')).toBe('"schema_migrations"');
    expect(quoteTableName('orders.schema_migrations')).toBe('"orders"."schema_migrations"');
    for (const bad of ['a.b.c', 'Orders', 'x"y', '']) expect(() => quoteTableName(bad)).toThrow(/Invalid table name/);
  });
});
