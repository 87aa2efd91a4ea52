// Owns the timeline read model's subscription: starts at the stored generation, and rebuilds it from offset 0 on demand.
import type { SqlClient } from '@saga/db';
import type { EventLog, Subscription } from '@saga/messaging';
import { timelineSubscription } from '../messaging/order-events.handler';
import { currentTimelineGeneration, startTimelineRebuild, type TimelineGeneration } from '../store/timeline-repository';

export class TimelineProjector {
  private subscription?: Subscription;

  constructor(private readonly deps: { db: SqlClient; eventLog: EventLog }) {}

  async start(): Promise<void> {
    const { groupId } = await currentTimelineGeneration(this.deps.db);
    this.subscription = await this.deps.eventLog.subscribe(timelineSubscription({ db: this.deps.db, groupId }));
  }

  /**
   * Stops the current projection, empties the table and reads every topic again from offset 0 under a new consumer
   * group. Events keep flowing meanwhile: they are in the log, so the new group reaches them too.
   */
  async rebuild(): Promise<TimelineGeneration> {
    await this.subscription?.close();
    this.subscription = undefined;
    const next = await this.deps.db.transaction((tx) => startTimelineRebuild(tx));
    this.subscription = await this.deps.eventLog.subscribe(timelineSubscription({ db: this.deps.db, groupId: next.groupId }));
    return next;
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    this.subscription = undefined;
  }
}
