// The migration plan accepts only a history that is a prefix of the list.

import { assertMigrationList, MigrationHistoryError, nextMigration, type Migration } from './migration-plan';

const list: Migration[] = ['001', '002', '003'].map((id) => ({ id, sql: 'SELECT 1' }));

describe('migration plan', () => {
  it('returns the first migration not yet recorded, or undefined when up to date', () => {
    expect(nextMigration(list, [])?.id).toBe('001');
    expect(nextMigration(list, ['001', '002'])?.id).toBe('003');
    expect(nextMigration(list, ['001', '002', '003'])).toBeUndefined();
  });

  it('refuses a recorded migration that left the list', () => {
    expect(() => nextMigration(list, ['001', '002', '003', '004'])).toThrow(/"004" no longer in the list/);
    expect(() => nextMigration(list, ['001', 'old'])).toThrow(MigrationHistoryError);
  });

  it('refuses a list reordered or with a migration inserted before applied ones', () => {
    expect(() => nextMigration(list, ['002', '001'])).toThrow(/out of order: position 1 was applied as "002"/);
    expect(() => nextMigration(list, ['001', '003'])).toThrow(/out of order/);
  });

  it('rejects duplicate and empty ids', () => {
    expect(() => assertMigrationList([...list, list[0]])).toThrow(/"001" appears twice/);
    expect(() => assertMigrationList([{ id: ' ', sql: '' }])).toThrow(/empty id/);
  });
});
