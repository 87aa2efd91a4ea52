// Unit tests of the idempotent inbox on PGlite: dedup, atomic rollback, retries, and a full relay → handler → relay hop.
import { PoisonMessageError } from '../ports/delivery.types';
import type { ConsumedCommand } from '../ports/command-bus.port';
import type { ConsumedEvent } from '../ports/event-log.port';
import type { SqlClient } from '@saga/db';
import { eventually } from '../testing/eventually';
import { enqueueOutbox } from '../outbox/enqueue-outbox';
import { handleOnce, markProcessed } from './idempotent-inbox';
import { OutboxRelay } from '../outbox/outbox-relay';
import { commandMessage, envelopeFor, eventMessage, migratedPglite, numberOf, recordingTransports, sleep } from '../outbox/testing/outbox-fixtures';

jest.setTimeout(30_000);

let db: SqlClient;
beforeAll(async () => {
  db = await migratedPglite();
});
afterAll(() => db.close());
beforeEach(() => db.exec('DELETE FROM outbox; DELETE FROM processed_messages'));

const count = async (table: 'outbox' | 'processed_messages'): Promise<number> =>
  (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;

it('markProcessed is true the first time a consumer sees a message id, false afterwards', async () => {
  expect(await db.transaction((tx) => markProcessed(tx, 'inventory', 'm-1'))).toBe(true);
  expect(await db.transaction((tx) => markProcessed(tx, 'inventory', 'm-1'))).toBe(false);
  // Each consumer keeps its own record: another service may process the same message.
  expect(await db.transaction((tx) => markProcessed(tx, 'payment', 'm-1'))).toBe(true);
});

it('runs the effect once for a duplicate envelope and answers duplicate the second time', async () => {
  const envelope = envelopeFor(1);
  const effect = jest.fn(async () => undefined);
  expect(await handleOnce(db, 'inventory', envelope, effect)).toBe('processed');
  expect(await handleOnce(db, 'inventory', envelope, effect)).toBe('duplicate');
  expect(effect).toHaveBeenCalledTimes(1);
});

it('rolls back the dedup record and the outgoing messages with a throwing effect, so the redelivery succeeds', async () => {
  const envelope = envelopeFor(1);
  const failing = async (tx: Parameters<Parameters<typeof handleOnce>[3]>[0]) => {
    await enqueueOutbox(tx, [eventMessage(10)]);
    throw new Error('stock table locked');
  };
  await expect(handleOnce(db, 'inventory', envelope, failing)).rejects.toThrow('stock table locked');
  expect(await count('processed_messages')).toBe(0);
  expect(await count('outbox')).toBe(0);

  expect(await handleOnce(db, 'inventory', envelope, (tx) => enqueueOutbox(tx, [eventMessage(10)]))).toBe('processed');
  expect(await count('processed_messages')).toBe(1);
  expect(await count('outbox')).toBe(1);
});

it('retries the whole transaction on a serialization failure or deadlock, and only on those', async () => {
  let calls = 0;
  const result = await handleOnce(db, 'payment', envelopeFor(1), async () => {
    calls += 1;
    if (calls < 3) throw Object.assign(new Error('could not serialize access'), { code: calls === 1 ? '40001' : '40P01' });
  });
  expect(result).toBe('processed');
  expect(calls).toBe(3);
  expect(await count('processed_messages')).toBe(1);

  const poison = jest.fn(async () => {
    throw new PoisonMessageError('bad payload');
  });
  await expect(handleOnce(db, 'payment', envelopeFor(2), poison)).rejects.toThrow(PoisonMessageError);
  expect(poison).toHaveBeenCalledTimes(1);
});

it('carries a command through relay → consumer → handleOnce → relay → event log, once even when redelivered', async () => {
  const transports = recordingTransports();
  const relay = new OutboxRelay({ db, ...transports, pollIntervalMs: 60_000 });
  await relay.start();
  const handled: ConsumedCommand[] = [];
  const outcomes: string[] = [];
  await transports.commandBus.consume({
    queue: 'inventory-commands',
    bindings: ['inventory.reserve'],
    // The handler opens its own transaction while the relay that sent the command may still hold PGlite's one connection.
    handle: async (command) => {
      handled.push(command);
      outcomes.push(await handleOnce(db, 'inventory', command.envelope, (tx) =>
        enqueueOutbox(tx, [eventMessage(100 + numberOf(command.envelope), 'inventory-events', command.envelope.correlationId)])));
    },
  });
  const events: ConsumedEvent[] = [];
  await transports.eventLog.subscribe({ groupId: 'saga', topics: ['inventory-events'], fromBeginning: true, handle: async (event) => void events.push(event) });

  const command = commandMessage(1, 'inventory.reserve');
  await db.transaction((tx) => enqueueOutbox(tx, [command]));
  await eventually(() => expect(events.map((event) => numberOf(event.envelope))).toEqual([101]), 5_000);

  await transports.commandBus.send('inventory.reserve', command.envelope); // the broker redelivers it
  await eventually(() => expect(outcomes).toEqual(['processed', 'duplicate']), 5_000);
  await sleep(50);
  expect(events).toHaveLength(1);
  expect(handled.map((consumed) => consumed.attempt)).toEqual([1, 1]); // no handler needed a retry
  await relay.stop();
});
