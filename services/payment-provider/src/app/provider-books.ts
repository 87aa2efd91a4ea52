// What every use case of the provider works with: its database, its clock, its limits and how new ids are made.
import { randomBytes } from 'node:crypto';
import type { SqlClient } from '@saga/db';
import type { ChargeLimits } from '../domain/charge-rules';
import type { Clock } from '../domain/provider-objects';

export interface ProviderBooks extends ChargeLimits {
  db: SqlClient;
  clock: Clock;
  newId: (prefix: 'ch' | 're') => string;
}

export const randomId = (prefix: 'ch' | 're'): string => `${prefix}_${randomBytes(12).toString('hex')}`;
