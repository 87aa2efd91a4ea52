// Test helper (not built): a uniquely named PostgreSQL database for one test file, created as the saga superuser and dropped afterwards.
import { randomBytes } from 'node:crypto';
import { createPgClient } from '../pg-client';

const serverUrl = process.env.POSTGRES_URL ?? 'postgres://saga:saga@127.0.0.1:5432';

export interface TempDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Runs one statement on the server's maintenance database, on a connection of its own. */
async function onServer(prefix: string, sql: string): Promise<void> {
  const admin = await createPgClient({ connectionString: `${serverUrl}/postgres`, applicationName: `${prefix}-admin` });
  try {
    await admin.exec(sql);
  } finally {
    await admin.close();
  }
}

export async function createTempDatabase(prefix: string): Promise<TempDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await onServer(prefix, `CREATE DATABASE ${name}`);
  return {
    url: `${serverUrl}/${name}`,
    // FORCE: a pool left open by a failed test must not keep the database alive.
    drop: () => onServer(prefix, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
