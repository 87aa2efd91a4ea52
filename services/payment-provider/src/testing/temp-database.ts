// Test helper (not built): a uniquely named PostgreSQL database for one test file, created as the saga superuser and dropped afterwards.
import { randomBytes } from 'node:crypto';
import { createPgClient } from '@saga/db';

const serverUrl = process.env.POSTGRES_URL ?? 'postgres://saga:saga@127.0.0.1:5432';

export interface TempDatabase {
  url: string;
  drop(): Promise<void>;
}

const admin = () => createPgClient({ connectionString: `${serverUrl}/postgres`, applicationName: 'payment-provider-test-admin' });

export async function createTempDatabase(prefix: string): Promise<TempDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const creator = await admin();
  try {
    await creator.exec(`CREATE DATABASE ${name}`);
  } finally {
    await creator.close();
  }
  return {
    url: `${serverUrl}/${name}`,
    async drop() {
      const dropper = await admin();
      try {
        // FORCE: a pool left open by a failed test must not keep the database alive.
        await dropper.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.close();
      }
    },
  };
}
