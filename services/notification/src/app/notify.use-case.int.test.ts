// On real PostgreSQL (PGlite has one connection, so no real concurrency): two commands racing for one order and kind send once.
import { randomUUID } from 'node:crypto';
import { createEnvelope } from '@saga/contracts';
import { createPgClient, migrate, type SqlClient } from '@saga/db';
import { handleOnce, messagingMigrations } from '@saga/messaging';
import { createLogger } from '@saga/platform';
import { notificationMigrations } from '../store/migrations';
import { findByOrder } from '../store/notification.repository';
import { createTempDatabase, type TempDatabase } from '@saga/db/testing';
import { ScriptedChannel } from '../testing/scripted.channel';
import { createNotify, type NotifyOutcome } from './notify.use-case';

jest.setTimeout(60_000);

/** A channel slow enough that the second transaction arrives while the first still holds the record. */
class SlowChannel extends ScriptedChannel {
  override async send(...args: Parameters<ScriptedChannel['send']>): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return super.send(...args);
  }
}

describe('notify on PostgreSQL', () => {
  let database: TempDatabase;
  let db: SqlClient;

  beforeAll(async () => {
    database = await createTempDatabase('notification_it');
    db = await createPgClient({ connectionString: database.url });
    await migrate(db, messagingMigrations, { table: 'messaging_schema_migrations' });
    await migrate(db, notificationMigrations);
  });

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('lets the second of two concurrent commands wait for the first, then answers with the first notification', async () => {
    const channel = new SlowChannel();
    const notify = createNotify({ db, channel, clock: { now: () => new Date() }, newId: randomUUID, logger: createLogger({ service: 'notification', level: 'silent' }) });
    const orderId = `order-${randomUUID()}`;
    const announced: string[] = [];
    const once = () => {
      const envelope = createEnvelope('SendNotification', 1, {}, { correlationId: orderId });
      return {
        runOnce: (effect: Parameters<typeof handleOnce>[3]) => handleOnce(db, 'test', envelope, effect),
        announce: async (_tx: unknown, notification: { notificationId: string }) => void announced.push(notification.notificationId),
      };
    };
    const request = { orderId, sagaId: orderId, customerId: 'c-1', kind: 'ORDER_CONFIRMED' as const };

    const outcomes: NotifyOutcome[] = await Promise.all([notify(request, once()), notify(request, once())]);

    expect(outcomes.map((o) => o.kind).sort()).toEqual(['already-sent', 'sent']);
    expect(channel.deliveredFor(orderId)).toHaveLength(1);
    expect(new Set(announced).size).toBe(1);
    expect(await findByOrder(db, orderId)).toHaveLength(1);
  });
});
