// The behaviour every SqlClient driver must show; run by each driver's own test file.

import type { SqlClient } from './sql-client';
import { useContractContext } from './testing/contract-context';
import { describeErrorContract } from './testing/contract-errors';
import { describeMigrationContract } from './testing/contract-migrations';
import { describeNotificationContract } from './testing/contract-notifications';
import { describeQueryContract } from './testing/contract-queries';
import { describeTransactionContract } from './testing/contract-transactions';

/**
 * `factory` is called once for the whole suite and its client closed at the end. Every table and
 * channel carries a random suffix, and tables are dropped afterwards, so runs against a shared
 * database neither collide nor leave anything behind.
 */
export function describeSqlClientContract(name: string, factory: () => Promise<SqlClient>): void {
  describe(`SqlClient contract: ${name}`, () => {
    const ctx = useContractContext(factory);
    describeQueryContract(ctx);
    describeTransactionContract(ctx);
    describeErrorContract(ctx);
    describeMigrationContract(ctx);
    describeNotificationContract(ctx);
  });
}
