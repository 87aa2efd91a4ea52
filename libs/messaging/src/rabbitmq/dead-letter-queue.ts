// The RabbitMQ dead-letter queue read as a store: letters are held (unacknowledged) while looked at, then given back.
import type { Channel, ConsumeMessage } from 'amqplib';

export interface DeadLetterQueueOptions {
  openChannel: () => Promise<Channel>;
  queue: string;
  /** Most letters held at once; the rest stay in the queue, unseen by a listing or a re-drive until these go. */
  limit?: number;
  /** How long to wait for another reader (another process) to finish before giving up. */
  lockTimeoutMs?: number;
}

/** Another reader held the dead-letter queue for longer than the lock timeout. */
export class DeadLetterQueueBusyError extends Error {
  constructor(queue: string) {
    super(`dead-letter queue ${queue} is being read by someone else; try again`);
    this.name = 'DeadLetterQueueBusyError';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isResourceLocked = (error: unknown) => (error as { code?: unknown } | null)?.code === 405;

/**
 * A queue cannot be read without taking its messages, so a reader takes them all and gives back what it did not
 * settle. Two readers at once would each see only part of the queue: one reader at a time, in this process (a promise
 * chain) and across processes (an exclusive queue `<queue>.lock`, which the broker lets one connection declare and
 * drops by itself if that connection dies). Quorum queues ignore exclusive consumers, hence the lock queue.
 */
export class DeadLetterQueueReader {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DeadLetterQueueOptions) {}

  /** Runs `visit` over every letter (oldest first); the letters it acks are removed, the others go back. */
  hold<T>(visit: (letters: readonly ConsumeMessage[], ack: (letter: ConsumeMessage) => void) => Promise<T>): Promise<T> {
    const run = this.tail.then(() => this.holdLocked(visit));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async holdLocked<T>(visit: (letters: readonly ConsumeMessage[], ack: (letter: ConsumeMessage) => void) => Promise<T>): Promise<T> {
    const lock = await this.lock();
    try {
      const channel = await this.options.openChannel();
      channel.on('error', () => undefined);
      const letters: ConsumeMessage[] = [];
      let acked = 0;
      try {
        await this.takeAll(channel, letters);
        return await visit(letters, (letter) => {
          channel.ack(letter);
          acked += 1;
        });
      } finally {
        // Back before the lock goes, or the next reader would find them missing.
        try {
          channel.nackAll(true);
        } catch {
          // The channel is gone (a lost connection): the broker gave them back itself.
        }
        await this.waitForReady(channel, letters.length - acked).catch(() => undefined);
        await channel.close().catch(() => undefined);
      }
    } finally {
      await lock.deleteQueue(this.lockName).catch(() => undefined);
      await lock.close().catch(() => undefined);
    }
  }

  private get lockName(): string {
    return `${this.options.queue}.lock`;
  }

  private async lock(): Promise<Channel> {
    const deadline = Date.now() + (this.options.lockTimeoutMs ?? 10_000);
    for (let attempt = 1; ; attempt += 1) {
      const channel = await this.options.openChannel();
      channel.on('error', () => undefined);
      try {
        await channel.assertQueue(this.lockName, { exclusive: true, durable: false });
        return channel;
      } catch (error) {
        // RESOURCE_LOCKED closed that channel: another connection holds the lock.
        await channel.close().catch(() => undefined);
        if (!isResourceLocked(error)) throw error;
        if (Date.now() > deadline) throw new DeadLetterQueueBusyError(this.options.queue);
        await sleep(Math.min(20 * attempt, 250));
      }
    }
  }

  /** Consumes until the queue has nothing ready left (or the limit is reached), then stops the consumer. */
  private async takeAll(channel: Channel, into: ConsumeMessage[]): Promise<void> {
    const limit = this.options.limit ?? 1_000;
    await channel.prefetch(limit);
    const { consumerTag } = await channel.consume(this.options.queue, (message) => {
      if (message) into.push(message);
    }, { noAck: false });
    const deadline = Date.now() + 5_000;
    for (;;) {
      // On the same channel: deliveries the broker sent before answering arrive before the answer.
      const { messageCount } = await channel.checkQueue(this.options.queue);
      if (messageCount === 0 || into.length >= limit || Date.now() > deadline) break;
      await sleep(10);
    }
    // cancel-ok comes after every delivery made to this consumer: nothing arrives after it.
    await channel.cancel(consumerTag);
  }

  private async waitForReady(channel: Channel, expected: number): Promise<void> {
    const deadline = Date.now() + 2_000;
    while (Date.now() < deadline) {
      const { messageCount } = await channel.checkQueue(this.options.queue);
      if (messageCount >= expected) return;
      await sleep(10);
    }
  }
}
