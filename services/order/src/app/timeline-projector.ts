// Owns the timeline read model's subscription: starts at the stored generation, and rebuilds it from offset 0 on demand.
import type { SqlClient } from '@saga/db';
import type { EventLog, Subscription } from '@saga/messaging';
import { timelineSubscription } from '../messaging/order-events.handler';
import { currentTimelineGeneration, startTimelineRebuild } from '../store/timeline-repository';

export class TimelineProjector {
  private subscription?: Subscription;
  private generation = 0;

  constructor(private readonly deps: { db: SqlClient; eventLog: EventLog }) {}

  async start(): Promise<void> {
    this.generation = await currentTimelineGeneration(this.deps.db);
    this.subscription = await this.deps.eventLog.subscribe(timelineSubscription({ db: this.deps.db, generation: this.generation }));
  }

  /**
   * Stops the current projection, empties the table and reads every topic again from offset 0 under a new consumer
   * group. Events keep flowing meanwhile: they are in the log, so the new group reaches them too.
   */
  async rebuild(): Promise<{ generation: number }> {
    await this.subscription?.close();
    this.subscription = undefined;
    this.generation = await this.deps.db.transaction((tx) => startTimelineRebuild(tx));
    this.subscription = await this.deps.eventLog.subscribe(timelineSubscription({ db: this.deps.db, generation: this.generation }));
    return { generation: this.generation };
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    this.subscription = undefined;
  }
}
