// Owns the timeline read model's subscription: starts at the stored generation, and rebuilds it from offset 0 on demand.
import type { SqlClient } from '@saga/db';
import type { Subscription } from '@saga/messaging';
import { currentTimelineGeneration, startTimelineRebuild, type TimelineGeneration } from '../store/timeline-repository';

/** Subscribes the timeline's Kafka adapter under a consumer group (the composition root wires it: app knows no adapter). */
export type SubscribeTimeline = (groupId: string) => Promise<Subscription>;

export class TimelineProjector {
  private subscription?: Subscription;

  constructor(private readonly deps: { db: SqlClient; subscribe: SubscribeTimeline }) {}

  async start(): Promise<void> {
    const { groupId } = await currentTimelineGeneration(this.deps.db);
    this.subscription = await this.deps.subscribe(groupId);
  }

  /**
   * Stops the current projection, empties the table and reads every topic again from offset 0 under a new consumer
   * group. Events keep flowing meanwhile: they are in the log, so the new group reaches them too.
   */
  async rebuild(): Promise<TimelineGeneration> {
    await this.subscription?.close();
    this.subscription = undefined;
    const next = await this.deps.db.transaction((tx) => startTimelineRebuild(tx));
    this.subscription = await this.deps.subscribe(next.groupId);
    return next;
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    this.subscription = undefined;
  }
}
