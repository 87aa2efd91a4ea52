// Delivers through several channels at once; the notification counts as sent only when every one of them succeeded.
import type { Notification } from '../domain/notification';
import type { NotificationChannel } from './notification-channel.port';

class FanoutChannel implements NotificationChannel {
  readonly name: string;

  constructor(private readonly channels: readonly NotificationChannel[]) {
    this.name = channels.map((channel) => channel.name).join('+');
  }

  async send(notification: Notification): Promise<void> {
    // All are tried even if one fails; the retry then repeats the ones that worked (at least once, by design).
    const results = await Promise.allSettled(this.channels.map((channel) => channel.send(notification)));
    const failures = results.flatMap((result, i) => (result.status === 'rejected' ? [{ channel: this.channels[i]!.name, error: result.reason as unknown }] : []));
    if (failures.length === 0) return;
    const summary = failures.map((f) => `${f.channel}: ${f.error instanceof Error ? f.error.message : String(f.error)}`).join('; ');
    throw new AggregateError(failures.map((f) => f.error), summary);
  }
}

/** One channel as is, several as a fanout; at least one is required. */
export function combineChannels(channels: readonly NotificationChannel[]): NotificationChannel {
  if (channels.length === 0) throw new Error('at least one notification channel is required');
  return channels.length === 1 ? channels[0]! : new FanoutChannel(channels);
}
