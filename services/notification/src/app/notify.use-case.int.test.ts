// On real PostgreSQL (PGlite has one connection, so no real concurrency): no transaction is open while the channel sends,
// concurrent deliveries for one order and kind send once, and a crash between send and record resends exactly once.
import { randomUUID } from 'node:crypto';
import { createEnvelope } from '@saga/contracts';
import { createPgClient, migrate, type SqlClient } from '@saga/db';
import { handleOnce, messagingMigrations, wasProcessed } from '@saga/messaging';
import { createLogger } from '@saga/platform';
import type { Notification } from '../domain/notification';
import { notificationMigrations } from '../store/migrations';
import { findByOrder } from '../store/notification.repository';
import { createTempDatabase, type TempDatabase } from '@saga/db/testing';
import { ScriptedChannel } from '../testing/scripted.channel';
import { createNotify, NotificationBusyError, type NotifyDeps, type NotifyOnce, type NotifyOutcome } from './notify.use-case';

jest.setTimeout(60_000);

/** A channel slow enough that concurrent deliveries overlap its send. */
class SlowChannel extends ScriptedChannel {
  override async send(notification: Notification): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return super.send(notification);
  }
}

describe('notify on PostgreSQL', () => {
  let database: TempDatabase;
  let db: SqlClient;
  /** Another connection to the same database, to look at locks and sessions while a send is under way. */
  let probe: SqlClient;
  const logger = createLogger({ service: 'notification', level: 'silent' });
  const announced: { messageId: string; notificationId: string }[] = [];

  beforeAll(async () => {
    database = await createTempDatabase('notification_it');
    db = await createPgClient({ connectionString: database.url, applicationName: 'notify-under-test' });
    probe = await createPgClient({ connectionString: database.url, applicationName: 'notify-probe' });
    await migrate(db, messagingMigrations, { table: 'messaging_schema_migrations' });
    await migrate(db, notificationMigrations);
  });

  afterAll(async () => {
    await probe?.close();
    await db?.close();
    await database?.drop();
  });

  const notifyWith = (channel: ScriptedChannel, overrides: Partial<NotifyDeps> = {}) =>
    createNotify({ db, channel, clock: { now: () => new Date() }, newId: randomUUID, logger, ...overrides });
  const request = (orderId: string) => ({ orderId, sagaId: orderId, customerId: 'c-1', kind: 'ORDER_CONFIRMED' as const });
  /** One incoming message, deduplicated by handleOnce as the real handlers do; `failRecord` plays a crash or an outage there. */
  const message = (orderId: string, messageId = randomUUID(), failRecord?: () => Error | undefined): NotifyOnce => {
    const envelope = { ...createEnvelope('SendNotification', 1, {}, { correlationId: orderId }), messageId };
    return {
      messageId,
      wasHandled: (tx) => wasProcessed(tx, 'test', messageId),
      runOnce: async (effect) => {
        const failure = failRecord?.();
        if (failure) throw failure;
        return handleOnce(db, 'test', envelope, effect);
      },
      announce: async (_tx, notification) => void announced.push({ messageId, notificationId: notification.notificationId }),
    };
  };
  /** What the consumer does: retry while another delivery holds the claim. */
  const untilNotBusy = async (run: () => Promise<NotifyOutcome>): Promise<NotifyOutcome> => {
    for (;;) {
      try {
        return await run();
      } catch (error) {
        if (!(error instanceof NotificationBusyError)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };

  it('sends with no transaction open and no lock on the record', async () => {
    const seen: { lockable: boolean; openTransactions: number }[] = [];
    const channel = new (class extends ScriptedChannel {
      override async send(notification: Notification): Promise<void> {
        // NOWAIT fails at once if any transaction holds the row; pg_stat_activity shows a transaction left open.
        const locked = await probe.transaction((tx) => tx.query('SELECT 1 FROM notifications WHERE notification_id = $1 FOR UPDATE NOWAIT', [notification.notificationId]));
        const { rows } = await probe.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'notify-under-test' AND state LIKE 'idle in transaction%'",
        );
        seen.push({ lockable: locked.rowCount === 1, openTransactions: rows[0]!.n });
        return super.send(notification);
      }
    })();
    const orderId = `order-${randomUUID()}`;

    await expect(notifyWith(channel)(request(orderId), message(orderId))).resolves.toMatchObject({ kind: 'sent' });
    expect(seen).toEqual([{ lockable: true, openTransactions: 0 }]);
    expect(channel.deliveredFor(orderId)).toHaveLength(1);
  });

  it('sends once for concurrent deliveries of one order and kind: the others wait for the claim, then answer with it', async () => {
    const channel = new SlowChannel();
    const notify = notifyWith(channel);
    const orderId = `order-${randomUUID()}`;

    const outcomes = await Promise.all([1, 2, 3, 4, 5].map(() => untilNotBusy(() => notify(request(orderId), message(orderId)))));

    expect(outcomes.map((o) => o.kind).sort()).toEqual(['already-sent', 'already-sent', 'already-sent', 'already-sent', 'sent']);
    expect(channel.deliveredFor(orderId)).toHaveLength(1);
    const [record] = await findByOrder(db, orderId);
    expect(record).toMatchObject({ status: 'SENT', attempts: 1 });
    // Every delivery announced the one notification, so the saga hears the id it will see over HTTP.
    expect(announced.filter((a) => a.notificationId === record!.notificationId)).toHaveLength(5);
  });

  it('after a crash between send and record, the redelivery sends once more and the database records it once', async () => {
    const channel = new ScriptedChannel();
    const orderId = `order-${randomUUID()}`;
    const messageId = randomUUID();
    const crashed = notifyWith(channel);
    await expect(crashed(request(orderId), message(orderId, messageId, () => new Error('process killed')))).rejects.toThrow('process killed');
    expect((await findByOrder(db, orderId))[0]).toMatchObject({ status: 'SENDING' });

    // A new process (nothing remembered) gets the same message again: its own claim is taken back at once.
    const restarted = notifyWith(channel);
    await expect(restarted(request(orderId), message(orderId, messageId))).resolves.toMatchObject({ kind: 'sent' });
    await expect(restarted(request(orderId), message(orderId, messageId))).resolves.toEqual({ kind: 'duplicate-message' });

    expect(channel.deliveredFor(orderId)).toHaveLength(2);
    expect(await findByOrder(db, orderId)).toEqual([expect.objectContaining({ status: 'SENT', attempts: 1 })]);
    expect(announced.filter((a) => a.messageId === messageId)).toHaveLength(1);
  });

  it('does not resend when only the recording failed (a database blip) and the same process retries', async () => {
    const channel = new ScriptedChannel();
    const orderId = `order-${randomUUID()}`;
    const messageId = randomUUID();
    const notify = notifyWith(channel);
    let blips = 1;
    const flaky = () => (blips-- > 0 ? Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }) : undefined);

    await expect(notify(request(orderId), message(orderId, messageId, flaky))).rejects.toThrow('administrator command');
    await expect(notify(request(orderId), message(orderId, messageId, flaky))).resolves.toMatchObject({ kind: 'sent' });

    expect(channel.deliveredFor(orderId)).toHaveLength(1);
  });

  it('keeps another message away while a crashed holder\'s lease runs, then lets it send', async () => {
    const channel = new ScriptedChannel();
    const orderId = `order-${randomUUID()}`;
    await expect(notifyWith(channel, { claimLeaseMs: 500 })(request(orderId), message(orderId, randomUUID(), () => new Error('process killed')))).rejects.toThrow();

    const other = notifyWith(channel);
    await expect(other(request(orderId), message(orderId))).rejects.toBeInstanceOf(NotificationBusyError);
    await new Promise((resolve) => setTimeout(resolve, 700));
    await expect(other(request(orderId), message(orderId))).resolves.toMatchObject({ kind: 'sent' });
    expect(channel.deliveredFor(orderId)).toHaveLength(2);
  });
});
