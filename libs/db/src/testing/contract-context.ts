// Shared state of one contract run: the client under test and unique, cleaned-up table names.

import { randomBytes } from 'node:crypto';
import type { SqlClient } from '../sql-client';

export interface ContractContext {
  readonly client: SqlClient;
  /** A name unique to this run (`<base>_<random>`), valid as a table or channel name. */
  name(base: string): string;
  /** Like name(), and the table is dropped after the run. */
  table(base: string): string;
}

/** Registers beforeAll/afterAll in the calling describe block. */
export function useContractContext(factory: () => Promise<SqlClient>): ContractContext {
  const suffix = randomBytes(4).toString('hex');
  const tables: string[] = [];
  let client: SqlClient | undefined;

  beforeAll(async () => {
    client = await factory();
  }, 60_000);

  afterAll(async () => {
    if (!client) return;
    for (const table of tables.reverse()) await client.exec(`DROP TABLE IF EXISTS ${table} CASCADE`);
    await client.close();
  }, 60_000);

  return {
    get client(): SqlClient {
      if (!client) throw new Error('SqlClient factory failed: see the beforeAll error');
      return client;
    },
    name: (base) => `${base}_${suffix}`,
    table(base) {
      const table = `${base}_${suffix}`;
      tables.push(table);
      return table;
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it holds, failing after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}
