// Use case T4/C4 "notify": claim the order's notification, send it with no transaction open, then record it and announce it.
import type { SqlClient, SqlExecutor } from '@saga/db';
import { withCorrelation, type Logger } from '@saga/platform';
import { ChannelDeliveryError, type NotificationChannel } from '../channels/notification-channel.port';
import { newNotification } from '../domain/new-notification';
import type { Clock, Notification, NotificationRequest } from '../domain/notification';
import { claimForSending, findById, findOrCreate, markSent, recordFailure, type Claim } from '../store/notification.repository';
import { SentNotRecorded } from './sent-not-recorded';

export type NotifyOutcome =
  /** Delivered now. */
  | { kind: 'sent'; notification: Notification }
  /** Another message for the same order and kind delivered it before: not sent again, announced again. */
  | { kind: 'already-sent'; notification: Notification }
  /** This very message was handled before (its dedup record exists): nothing to do. */
  | { kind: 'duplicate-message' };

/** What the caller's transport provides: the message's identity, its deduplication, and the message(s) the outcome causes. */
export interface NotifyOnce {
  /** The incoming message's id: it holds the claim, so its own redelivery (after a crash) may take the claim back at once. */
  messageId: string;
  /** Whether this message was already handled (committed; wasProcessed from @saga/messaging): then nothing is sent. */
  wasHandled(tx: SqlExecutor): Promise<boolean>;
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
  /** How long a claim keeps other deliveries away; longer than any send takes (its channel's timeout). Default 30 s. */
  claimLeaseMs?: number;
}

export type Notify = (request: NotificationRequest, once: NotifyOnce) => Promise<NotifyOutcome>;

/** Twice the bound of one handler attempt: a claim outlives its send, yet a crashed holder blocks others only briefly. */
export const DEFAULT_CLAIM_LEASE_MS = 30_000;

/** Another delivery for the same order and kind is sending right now: retry later (it will be SENT, or its lease over). */
export class NotificationBusyError extends Error {
  constructor(notification: Pick<Notification, 'orderId' | 'kind'>, claimedUntil: Date) {
    super(`notification ${notification.orderId}/${notification.kind} is being sent by another delivery (claimed until ${claimedUntil.toISOString()})`);
    this.name = 'NotificationBusyError';
  }
}

const MAX_ERROR_LENGTH = 1_000;

/**
 * Three steps, no transaction across the network call:
 *   1. claim, in a short transaction: skip a message already handled; create the record or find it; take it (SENDING,
 *      with a lease) unless it is SENT or another delivery holds it (then NotificationBusyError: the consumer retries);
 *   2. send over the channel, nothing open in the database;
 *   3. record, in one transaction with the dedup record and the reply: SENT (first one wins) + announce.
 * A failed send records FAILED and gives the claim back, and the error propagates: the consumer retries with its
 * bounded policy, then dead-letters (an operator re-drives it). A crash between 2 and 3 sends again on redelivery
 * (at least once towards the channel; receivers deduplicate on deliveryKey), but the database records it once.
 * A database failure in 3 does not resend on the retry in this process: the send is remembered until it is recorded.
 */
export function createNotify({ db, channel, clock, newId, logger, claimLeaseMs = DEFAULT_CLAIM_LEASE_MS }: NotifyDeps): Notify {
  const unrecorded = new SentNotRecorded();
  return async (request, once) => {
    const log = withCorrelation(logger, { orderId: request.orderId, sagaId: request.sagaId });
    const draft = newNotification(request, { clock, newId, channel: channel.name });
    const claim = await db.transaction(async (tx): Promise<Claim | undefined> => {
      if (await once.wasHandled(tx)) return undefined;
      return claimForSending(tx, await findOrCreate(tx, draft), once.messageId, claimLeaseMs);
    });
    let outcome: NotifyOutcome;
    if (!claim) outcome = { kind: 'duplicate-message' };
    else if (claim.kind === 'busy') throw new NotificationBusyError(draft, claim.claimedUntil);
    else if (claim.kind === 'sent') outcome = await record(claim.notification, undefined, once);
    else {
      const { notificationId } = claim.notification;
      const sentAt = unrecorded.sentAt(notificationId, once.messageId) ?? (await send(claim.notification, once.messageId, log));
      unrecorded.remember(notificationId, once.messageId, sentAt);
      outcome = await record(claim.notification, sentAt, once);
      unrecorded.forget(notificationId, once.messageId);
    }
    logOutcome(log, outcome);
    return outcome;
  };

  /** Delivers with no transaction open; a failure is recorded (FAILED, claim given back) and rethrown for the retry. */
  async function send(notification: Notification, claimedBy: string, log: Logger): Promise<Date> {
    try {
      await channel.send(notification);
      return clock.now();
    } catch (cause) {
      const error = new ChannelDeliveryError(channel.name, cause);
      log.warn({ kind: notification.kind, channel: channel.name, err: error }, 'notification delivery failed; the message will be retried');
      await recordFailure(db, notification.notificationId, claimedBy, error.message.slice(0, MAX_ERROR_LENGTH)).catch((recordError: unknown) =>
        log.error({ err: recordError }, 'could not record the failed delivery'),
      );
      throw error;
    }
  }

  /** SENT (unless someone recorded it first) + the announcement + the dedup record, in one transaction. */
  async function record(claimed: Notification, sentAt: Date | undefined, once: NotifyOnce): Promise<NotifyOutcome> {
    let outcome: NotifyOutcome = { kind: 'duplicate-message' };
    await once.runOnce(async (tx) => {
      const sent = sentAt && (await markSent(tx, claimed.notificationId, channel.name, sentAt));
      outcome = sent ? { kind: 'sent', notification: sent } : { kind: 'already-sent', notification: await findById(tx, claimed.notificationId) };
      await once.announce(tx, outcome.notification);
    });
    return outcome;
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
