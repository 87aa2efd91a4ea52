// Test helper (not built): one migrated in-memory PGlite per test file, emptied before each test, and the app on it.
import { createPgliteClient, type SqlClient } from '@saga/db';
import type { Express } from 'express';
import request from 'supertest';
import { createProviderApp, migrateProviderDb, type ProviderAppOptions } from '../provider-app';

export const fixedClock = { now: () => new Date('2030-01-02T03:04:05Z') };
export const visa = { amount: 4200, currency: 'eur', source: 'tok_visa', description: 'order o-1' };

/** Registers beforeAll/beforeEach/afterAll; `db()` is the file's database once beforeAll ran. */
export function useProviderDb(): { db: () => SqlClient; build: (overrides?: Partial<ProviderAppOptions>) => Express } {
  let db: SqlClient | undefined;
  beforeAll(async () => {
    db = await createPgliteClient();
    await migrateProviderDb(db);
  }, 60_000);
  beforeEach(async () => {
    await db?.exec('TRUNCATE provider_refunds, provider_charges, provider_idempotency_keys');
  });
  afterAll(async () => {
    await db?.close();
  });
  const current = (): SqlClient => {
    if (!db) throw new Error('the provider test database is not open yet (use it inside a test or hook)');
    return db;
  };
  return {
    db: current,
    build: (overrides = {}) => createProviderApp({ db: current(), clock: fixedClock, declineAboveCents: 100_000, latencyMs: 0, ...overrides }),
  };
}

export const charge = (app: Express, key: string, body: object) => request(app).post('/v1/charges').set('Idempotency-Key', key).send(body);
export const refund = (app: Express, key: string, body: object) => request(app).post('/v1/refunds').set('Idempotency-Key', key).send(body);
export const voidKey = (app: Express, body: object) => request(app).post('/v1/charges/void').send(body);
export const chargesOfOrder = (app: Express, orderId: string) => request(app).get('/v1/charges').query({ order_id: orderId });
