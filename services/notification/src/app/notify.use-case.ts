// Use case T4/C4 "notify": deliver one final notification per order and kind, record it, and announce it.
import type { SqlClient, SqlExecutor } from '@saga/db';
import { withCorrelation, type Logger } from '@saga/platform';
import { ChannelDeliveryError, type NotificationChannel } from '../channels/notification-channel.port';
import { newNotification } from '../domain/new-notification';
import type { Clock, Notification, NotificationRequest } from '../domain/notification';
import { claimNotification, markSent, recordFailure } from '../store/notification.repository';

export type NotifyOutcome =
  /** Delivered now. */
  | { kind: 'sent'; notification: Notification }
  /** Another message for the same order and kind delivered it before: not sent again, announced again. */
  | { kind: 'already-sent'; notification: Notification }
  /** This very message was handled before (its dedup record exists): nothing to do. */
  | { kind: 'duplicate-message' };

/** What the caller's transport provides: deduplication by message id, and the message(s) the outcome causes. */
export interface NotifyOnce {
  /** Runs the effect in one transaction, at most once per incoming message (handleOnce from @saga/messaging). */
  runOnce(effect: (tx: SqlExecutor) => Promise<void>): Promise<'processed' | 'duplicate'>;
  /** Enqueues the reply or event that tells the saga, on the same transaction (enqueueOutbox). */
  announce(tx: SqlExecutor, notification: Notification): Promise<void>;
}

export interface NotifyDeps {
  db: SqlClient;
  channel: NotificationChannel;
  clock: Clock;
  newId: () => string;
  logger: Logger;
}

export type Notify = (request: NotificationRequest, once: NotifyOnce) => Promise<NotifyOutcome>;

const MAX_ERROR_LENGTH = 1_000;

/**
 * Ordering, and its trade-off: delivery is a side effect outside the database, so it runs inside the
 * transaction, between claiming the record and marking it SENT:
 *   claim (insert PENDING, or lock the existing record) -> send -> mark SENT + enqueue the reply -> commit.
 * If the channel throws, the transaction rolls back (record, reply and dedup record alike) and the error
 * propagates, so the consumer retries with backoff and the broker redelivers: T4 is retried until done and
 * never compensates. The failure is then recorded as FAILED in a transaction of its own, for operators.
 * Holding a transaction open across a network call is acceptable only because channels have short timeouts.
 * The guarantee is at least once towards the channel: a crash after send but before commit sends again on
 * redelivery (receivers can deduplicate on deliveryKey). Sending after commit instead would be at most once,
 * and a confirmation the saga counts as sent could be lost.
 */
export function createNotify({ db, channel, clock, newId, logger }: NotifyDeps): Notify {
  return async (request, once) => {
    const log = withCorrelation(logger, { orderId: request.orderId, sagaId: request.sagaId });
    const draft = newNotification(request, { clock, newId, channel: channel.name });
    let outcome: NotifyOutcome = { kind: 'duplicate-message' };
    try {
      await once.runOnce(async (tx) => {
        const claimed = await claimNotification(tx, draft);
        if (claimed.status === 'SENT') {
          outcome = { kind: 'already-sent', notification: claimed };
          await once.announce(tx, claimed);
          return;
        }
        await deliver(channel, claimed);
        const sent = await markSent(tx, claimed.notificationId, channel.name, clock.now());
        await once.announce(tx, sent);
        outcome = { kind: 'sent', notification: sent };
      });
    } catch (error) {
      if (error instanceof ChannelDeliveryError) {
        log.warn({ kind: request.kind, channel: channel.name, err: error }, 'notification delivery failed; the command will be retried');
        await recordFailure(db, draft, error.message.slice(0, MAX_ERROR_LENGTH)).catch((recordError: unknown) =>
          log.error({ err: recordError }, 'could not record the failed delivery'),
        );
      }
      throw error;
    }
    logOutcome(log, outcome);
    return outcome;
  };
}

async function deliver(channel: NotificationChannel, notification: Notification): Promise<void> {
  try {
    await channel.send(notification);
  } catch (error) {
    throw new ChannelDeliveryError(channel.name, error);
  }
}

function logOutcome(log: Logger, outcome: NotifyOutcome): void {
  if (outcome.kind === 'duplicate-message') {
    log.info('duplicate SendNotification skipped');
    return;
  }
  const { notificationId, kind, channel, attempts } = outcome.notification;
  log.info({ notificationId, kind, channel, attempts }, outcome.kind === 'sent' ? 'notification sent' : 'notification already sent; not sent again');
}
