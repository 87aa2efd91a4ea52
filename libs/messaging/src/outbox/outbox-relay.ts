// The outbox relay: woken by NOTIFY after each commit, polling as a safety net, publishing pending rows in order per
// lane (commands to RabbitMQ, events to Kafka), at least once.
import { randomUUID } from 'node:crypto';
import type { Unlisten } from '@saga/db';
import { OUTBOX_CHANNEL } from './enqueue-outbox';
import { defaultHousekeeping, Housekeeper } from './outbox-housekeeping';
import { OutboxLaneRunner } from './outbox-lane';
import type { OutboxLane } from './outbox-publisher';
import { defaultLog, type OutboxRelayOptions } from './outbox-relay-options';

export type { OutboxRelayOptions } from './outbox-relay-options';

/**
 * One lane per transport, each independent: a stalled Kafka delays only the events, never the saga's commands and
 * replies. Within a lane rows go out in id order, one relay instance at a time (a lease in outbox_lanes), with no
 * transaction open while a broker answers. Delivery is at-least-once: a row whose publish was confirmed but whose
 * `published_at` did not commit is published again, so consumers dedupe by messageId (handleOnce). A row the broker
 * refuses for its own sake (an unroutable reply) is parked after a few refusals, listed for operators and re-drivable;
 * a broker that is away never parks anything: the lane backs off and retries in order.
 */
export class OutboxRelay {
  private readonly log: NonNullable<OutboxRelayOptions['log']>;
  private readonly housekeeper: Housekeeper;
  private readonly lanes: OutboxLaneRunner[];
  private active = false;
  private unlisten?: Unlisten;
  private pollTimer?: NodeJS.Timeout;

  constructor(private readonly options: OutboxRelayOptions) {
    this.log = options.log ?? defaultLog;
    this.housekeeper = new Housekeeper(options.db, {
      retainPublishedMs: options.retainPublishedMs ?? defaultHousekeeping.retainPublishedMs,
      retainProcessedMs: options.retainProcessedMs ?? defaultHousekeeping.retainProcessedMs,
    }, this.log);
    const holder = options.instanceId ?? `${process.pid}-${randomUUID()}`;
    const batch = {
      holder,
      batchSize: options.batchSize ?? 100,
      leaseMs: options.laneLeaseMs ?? 15_000,
      maxAttempts: options.maxRefusals ?? 5,
      ...(options.service ? { service: options.service } : {}),
    };
    const transports = { ...(options.commandBus ? { commandBus: options.commandBus } : {}), ...(options.eventLog ? { eventLog: options.eventLog } : {}) };
    // Both lanes always run: a row of a transport the relay lacks is recorded as a failure, not silently left.
    this.lanes = (['command', 'event'] as const).map((lane: OutboxLane) => new OutboxLaneRunner(lane, options.db, transports, batch, options, this.log));
  }

  /** LISTENs for commits and starts the poll timer; rows left pending by a previous run are published right away. */
  async start(): Promise<void> {
    if (this.active) return;
    this.active = true;
    for (const lane of this.lanes) lane.active = true;
    this.unlisten = await this.options.db.listen(OUTBOX_CHANNEL, () => this.wake()).catch((error: unknown) => {
      this.active = false;
      for (const lane of this.lanes) lane.active = false;
      throw error;
    });
    this.pollTimer = setInterval(() => {
      this.wake();
      this.housekeeper.tick();
    }, this.options.pollIntervalMs ?? 1_000);
    this.pollTimer.unref();
    this.wake();
  }

  /** Publishes pending rows of every lane now; returns how many were published. Exposed for tests and for shutdown. */
  async flush(): Promise<number> {
    const counts = await Promise.all(this.lanes.map((lane) => lane.flush()));
    return counts.reduce((sum, n) => sum + n, 0);
  }

  /** Stops listening and polling, then waits for flushes (and housekeeping) in flight and gives the lanes back. */
  async stop(): Promise<void> {
    this.active = false;
    clearInterval(this.pollTimer);
    await this.unlisten?.();
    this.unlisten = undefined;
    await Promise.all([...this.lanes.map((lane) => lane.stop()), this.housekeeper.idle()]);
  }

  /** Counts for health/metrics: rows still to publish, rows parked, and rows published / failures seen since start. */
  async stats(): Promise<{ pending: number; parked: number; published: number; failures: number }> {
    const { rows } = await this.options.db.query<{ pending: number; parked: number }>(
      `SELECT count(*) FILTER (WHERE parked_at IS NULL)::int AS pending, count(*) FILTER (WHERE parked_at IS NOT NULL)::int AS parked
         FROM outbox WHERE published_at IS NULL`,
    );
    return {
      pending: rows[0]?.pending ?? 0,
      parked: rows[0]?.parked ?? 0,
      published: this.lanes.reduce((sum, lane) => sum + lane.published, 0),
      failures: this.lanes.reduce((sum, lane) => sum + lane.failures, 0),
    };
  }

  private wake(): void {
    if (!this.active) return;
    for (const lane of this.lanes) lane.wake();
  }
}
