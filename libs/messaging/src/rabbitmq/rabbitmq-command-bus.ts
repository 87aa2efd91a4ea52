// RabbitMQ adapter of the CommandBus port (amqplib): confirmed mandatory publishes, quorum queues, manual acks, reconnects.
import { encodeEnvelope, exchanges, queues, type MessageEnvelope } from '@saga/contracts';
import { connect, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type RecoveringChannelModel } from 'amqplib';
import { deliver, resolvePolicy } from '../delivery';
import { DEFAULT_PREFETCH } from '../pool-size';
import { UnroutableMessageError, type CommandBus, type CommandConsumer, type QueueSpec, type SendOptions } from '../ports/command-bus.port';
import type { DeadLetter, RedriveOutcome, Subscription } from '../ports/delivery.types';
import { deadLetterProperties, redriveProperties, sourceQueueOf, toDeadLetter } from './dead-letter-headers';
import { DeadLetterQueueReader } from './dead-letter-queue';

export interface RabbitMqCommandBusOptions {
  url: string;
  /** Shown in the RabbitMQ management UI, so an operator can tell which service holds which connection. */
  connectionName?: string;
  exchange?: string;
  deadLetterExchange?: string;
  deadLetterQueue?: string;
  /** Deliveries of one message before the broker itself dead-letters it: stops a message that crashes its consumer forever. */
  deliveryLimit?: number;
  /** How long close() waits for handlers in flight before closing their channels anyway. */
  drainTimeoutMs?: number;
  log?: (level: 'error' | 'warn' | 'info', message: string, extra: Record<string, unknown>) => void;
}

interface ActiveConsumer {
  spec: CommandConsumer;
  channel?: Channel;
  /** Set once the broker confirmed the subscription; cleared when its channel closes or the broker cancels it. */
  consumerTag?: string;
  inFlight: Set<Promise<void>>;
  stopped: boolean;
  /** Consecutive failed rebuilds of a lost channel (backoff). */
  rebuilds: number;
  /** A start in progress (after a reconnect or a lost channel): the other path waits for it instead of starting twice. */
  starting?: Promise<void>;
  /** The one pending rebuild attempt, if any (a failed attempt may be reported twice: never two timers). */
  rebuildTimer?: NodeJS.Timeout;
}

export class RabbitMqCommandBus implements CommandBus {
  private readonly exchange: string;
  private readonly deadLetterExchange: string;
  private readonly deadLetterQueue: string;
  private publisher?: Promise<ConfirmChannel>;
  private readonly returned = new Set<string>();
  private readonly consumers = new Set<ActiveConsumer>();
  private readonly declaredQueues = new Map<string, QueueSpec>();
  private readonly deadLetters: DeadLetterQueueReader;

  private constructor(
    private readonly connection: RecoveringChannelModel,
    private readonly options: RabbitMqCommandBusOptions,
  ) {
    this.exchange = options.exchange ?? exchanges.commands;
    this.deadLetterExchange = options.deadLetterExchange ?? exchanges.deadLetter;
    this.deadLetterQueue = options.deadLetterQueue ?? queues.deadLetter;
    this.deadLetters = new DeadLetterQueueReader({ openChannel: () => this.connection.createChannel(), queue: this.deadLetterQueue });
  }

  static async connect(options: RabbitMqCommandBusOptions): Promise<RabbitMqCommandBus> {
    // The bus needs the connection and the connection's setup needs the bus: a holder breaks the cycle.
    const holder: { bus?: RabbitMqCommandBus } = {};
    const connection = await connect(options.url, {
      clientProperties: { connection_name: options.connectionName ?? `saga-platform:${process.pid}` },
      // amqplib leaves Nagle's algorithm on: small frames (an ack, a publish) would wait for the peer's delayed ACK.
      noDelay: true,
      recovery: {
        initialDelay: 100,
        maxDelay: 5_000,
        initialMaxRetries: 10,
        // Runs on every (re)connection before the connection is handed out: topology first, then consumers again.
        setup: async (model: ChannelModel) => {
          if (holder.bus) await holder.bus.restore(model);
        },
      },
    });
    const bus = new RabbitMqCommandBus(connection, options);
    holder.bus = bus;
    connection.on('disconnect', (error: Error) => options.log?.('warn', 'RabbitMQ connection lost; reconnecting', { error: error.message }));
    connection.on('error', (error: Error) => options.log?.('error', 'RabbitMQ connection error', { error: error.message }));
    const channel = await connection.createChannel();
    await bus.declareTopology(channel);
    await channel.close();
    return bus;
  }

  async ensureQueue(spec: QueueSpec): Promise<void> {
    const channel = await this.connection.createChannel();
    try {
      await this.declareQueue(channel, spec);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async send(routingKey: string, envelope: MessageEnvelope, options: SendOptions = {}): Promise<void> {
    await this.publish(this.exchange, routingKey, encodeEnvelope(envelope), {
      messageId: envelope.messageId,
      type: envelope.type,
      correlationId: envelope.correlationId,
      ...(options.replyTo === undefined ? {} : { replyTo: options.replyTo }),
      ...(options.traceparent === undefined ? {} : { headers: { traceparent: options.traceparent } }),
    });
  }

  /** Test hook: routes arbitrary bytes, as a misbehaving sender would. */
  async sendRaw(routingKey: string, raw: string): Promise<void> {
    await this.publish(this.exchange, routingKey, Buffer.from(raw), {});
  }

  async consume(spec: CommandConsumer): Promise<Subscription> {
    await this.ensureQueue(spec);
    const consumer: ActiveConsumer = { spec, inFlight: new Set(), stopped: false, rebuilds: 0 };
    this.consumers.add(consumer);
    await this.startConsumer(consumer, await this.connection.createChannel());
    return { close: () => this.stopConsumer(consumer), isRunning: () => !consumer.stopped && consumer.consumerTag !== undefined };
  }

  async peekDeadLetters(): Promise<DeadLetter[]> {
    const letters = await this.deadLetters.hold(async (held) => held.map(toDeadLetter));
    return letters.sort((a, b) => a.deadLetteredAt.localeCompare(b.deadLetteredAt));
  }

  async redriveDeadLetter(id: string): Promise<RedriveOutcome> {
    return this.deadLetters.hold(async (held, ack) => {
      const letter = held.find((message) => toDeadLetter(message).id === id);
      if (!letter) return 'not-found';
      // Straight to the queue it came from (default exchange), confirmed, and only then out of the dead-letter
      // queue: a crash in between leaves the letter to re-drive again, and the consumer's inbox drops the copy.
      await this.publish('', sourceQueueOf(letter), letter.content, redriveProperties(letter, id));
      ack(letter);
      return 'redriven';
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((consumer) => this.stopConsumer(consumer)));
    await this.connection.close().catch(() => undefined);
  }

  private async declareTopology(channel: Channel): Promise<void> {
    await channel.assertExchange(this.exchange, 'direct', { durable: true });
    await channel.assertExchange(this.deadLetterExchange, 'fanout', { durable: true });
    await channel.assertQueue(this.deadLetterQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await channel.bindQueue(this.deadLetterQueue, this.deadLetterExchange, '');
  }

  private async declareQueue(channel: Channel, spec: QueueSpec): Promise<void> {
    await channel.assertQueue(spec.queue, {
      durable: true,
      arguments: {
        // Quorum queues replicate and count deliveries, which is what makes the delivery limit possible.
        'x-queue-type': 'quorum',
        'x-delivery-limit': this.options.deliveryLimit ?? 10,
        'x-dead-letter-exchange': this.deadLetterExchange,
      },
    });
    for (const key of spec.bindings) await channel.bindQueue(spec.queue, this.exchange, key);
    this.declaredQueues.set(spec.queue, { queue: spec.queue, bindings: [...spec.bindings] });
  }

  /** After a reconnect: declare the topology and queues again, reopen the publisher lazily, restart every consumer. */
  private async restore(model: ChannelModel): Promise<void> {
    this.publisher = undefined;
    const channel = await model.createChannel();
    await this.declareTopology(channel);
    for (const spec of this.declaredQueues.values()) await this.declareQueue(channel, spec);
    await channel.close();
    // Not waiting for a rebuild in progress: it may be waiting for this very connection, which is handed out only
    // once this returns. That rebuild finds the consumer running when its channel arrives, and closes the channel.
    for (const consumer of this.consumers) await this.ensureConsumer(consumer, () => model.createChannel(), { waitForOther: false });
    this.options.log?.('info', 'RabbitMQ connection restored', { consumers: this.consumers.size });
  }

  private publisherChannel(): Promise<ConfirmChannel> {
    if (!this.publisher) {
      const opening = this.connection.createConfirmChannel().then((channel) => {
        // The broker returns an unroutable mandatory message before it confirms it; remember which ones came back.
        channel.on('return', (message: ConsumeMessage) => this.returned.add(String(message.properties.messageId)));
        channel.on('close', () => {
          if (this.publisher === opening) this.publisher = undefined;
        });
        channel.on('error', () => undefined);
        return channel;
      });
      opening.catch(() => {
        if (this.publisher === opening) this.publisher = undefined;
      });
      this.publisher = opening;
    }
    return this.publisher;
  }

  private async publish(exchange: string, routingKey: string, content: Buffer, properties: { messageId?: string; type?: string; correlationId?: string; replyTo?: string; headers?: Record<string, string> }): Promise<void> {
    const channel = await this.publisherChannel();
    // Every publish gets a tracking id so a basic.return can be matched to it, even for raw bytes.
    const trackingId = properties.messageId ?? `raw-${process.hrtime.bigint()}`;
    await new Promise<void>((resolve, reject) => {
      channel.publish(exchange, routingKey, content, {
        ...properties,
        messageId: trackingId,
        persistent: true,
        mandatory: true,
        contentType: 'application/json',
        timestamp: Math.floor(Date.now() / 1000),
      }, (error: unknown) => {
        const wasReturned = this.returned.delete(trackingId);
        if (error) reject(error instanceof Error ? error : new Error(`broker did not confirm the message: ${String(error)}`));
        else if (wasReturned) reject(new UnroutableMessageError(routingKey));
        else resolve();
      });
    });
  }

  private async startConsumer(consumer: ActiveConsumer, channel: Channel): Promise<void> {
    consumer.channel = channel;
    channel.on('error', (error: Error) => this.options.log?.('warn', 'consumer channel error', { queue: consumer.spec.queue, error: error.message }));
    // A channel can close on its own while the connection lives (closed from the broker side, a channel-level error):
    // the consumer is rebuilt on a new channel. A lost connection closes it too; then restore() restarts it.
    channel.on('close', () => this.onConsumerChannelLost(consumer, channel, 'channel closed'));
    await channel.prefetch(consumer.spec.prefetch ?? DEFAULT_PREFETCH);
    const policy = resolvePolicy(consumer.spec.retry);
    const { consumerTag } = await channel.consume(consumer.spec.queue, (message) => {
      // The broker cancelled the consumer (its queue was deleted or it moved): nothing to acknowledge, subscribe again.
      if (!message) return this.onConsumerChannelLost(consumer, channel, 'cancelled by the broker');
      const work = this.handleDelivery(consumer, channel, message, policy).catch((error: unknown) =>
        this.options.log?.('error', 'could not settle a delivery; the broker will redeliver it', { queue: consumer.spec.queue, error: String(error) }),
      );
      consumer.inFlight.add(work);
      void work.finally(() => consumer.inFlight.delete(work));
    }, { noAck: false });
    consumer.consumerTag = consumerTag;
    consumer.rebuilds = 0;
  }

  /** The consumer's channel is gone (or its subscription cancelled): mark it down and rebuild it with backoff. */
  private onConsumerChannelLost(consumer: ActiveConsumer, channel: Channel, why: string): void {
    if (consumer.stopped || consumer.channel !== channel) return;
    consumer.channel = undefined;
    consumer.consumerTag = undefined;
    this.options.log?.('warn', 'RabbitMQ consumer lost; rebuilding it', { queue: consumer.spec.queue, why });
    if (why === 'cancelled by the broker') void channel.close().catch(() => undefined);
    this.scheduleConsumerRebuild(consumer);
  }

  private scheduleConsumerRebuild(consumer: ActiveConsumer): void {
    if (consumer.rebuildTimer || consumer.stopped) return;
    consumer.rebuilds += 1;
    const delayMs = Math.min(5_000, 100 * 2 ** Math.min(consumer.rebuilds - 1, 6));
    consumer.rebuildTimer = setTimeout(() => {
      consumer.rebuildTimer = undefined;
      this.ensureConsumer(consumer, () => this.connection.createChannel()).catch((error: unknown) => {
        // The connection is down (restore() restarts it when it is back) or the queue is missing: try again later.
        this.options.log?.('warn', 'could not rebuild the RabbitMQ consumer yet', { queue: consumer.spec.queue, error: String(error) });
        if (!consumer.stopped && consumer.consumerTag === undefined) this.scheduleConsumerRebuild(consumer);
      });
    }, delayMs).unref();
  }

  /** Starts a consumer that is down on a new channel; a no-op when it runs (checked again once the channel is open). */
  private async ensureConsumer(consumer: ActiveConsumer, openChannel: () => Promise<Channel>, options: { waitForOther?: boolean } = {}): Promise<void> {
    if (consumer.starting && options.waitForOther !== false) await consumer.starting.catch(() => undefined);
    if (consumer.stopped || consumer.consumerTag !== undefined) return;
    const starting = (async () => {
      const channel = await openChannel();
      if (consumer.stopped || consumer.consumerTag !== undefined) {
        await channel.close().catch(() => undefined);
        return;
      }
      try {
        await this.startConsumer(consumer, channel);
      } catch (error) {
        if (consumer.channel === channel) consumer.channel = undefined;
        await channel.close().catch(() => undefined);
        throw error;
      }
    })();
    consumer.starting = starting;
    try {
      await starting;
    } finally {
      if (consumer.starting === starting) consumer.starting = undefined;
    }
  }

  private async handleDelivery(consumer: ActiveConsumer, channel: Channel, message: ConsumeMessage, policy: ReturnType<typeof resolvePolicy>): Promise<void> {
    let attempts = 0;
    const traceparent: unknown = message.properties.headers?.traceparent;
    const outcome = await deliver({
      raw: message.content,
      policy,
      trace: {
        system: 'rabbitmq',
        destination: consumer.spec.queue,
        ...(typeof traceparent === 'string' ? { traceparent } : {}),
        attributes: { 'messaging.rabbitmq.destination.routing_key': message.fields.routingKey, 'messaging.rabbitmq.redelivered': message.fields.redelivered },
      },
      isStopped: () => consumer.stopped || consumer.channel !== channel,
      // The broker's consumer_timeout is sized for attempts within this bound: one over it is a handler to fix.
      onSlowAttempt: (slow) => this.options.log?.('error', 'handler attempt exceeded its bound; the I/O timeouts inside it should end it', { queue: consumer.spec.queue, ...slow }),
      handle: (envelope, attempt) => {
        attempts = attempt;
        return consumer.spec.handle({
          queue: consumer.spec.queue,
          routingKey: message.fields.routingKey,
          envelope,
          redelivered: message.fields.redelivered,
          attempt,
          ...(message.properties.replyTo ? { replyTo: String(message.properties.replyTo) } : {}),
        });
      },
    });
    if (outcome.kind === 'stopped') {
      channel.nack(message, false, true);
      return;
    }
    if (outcome.kind === 'dead-letter') {
      this.options.log?.('warn', 'command dead-lettered', { queue: consumer.spec.queue, routingKey: message.fields.routingKey, reason: outcome.reason, messageId: outcome.messageId });
      // Park it with the reason first, then ack: a crash in between leaves a duplicate letter, never a lost one.
      await this.publish(this.deadLetterExchange, '', message.content, deadLetterProperties(message, consumer.spec.queue, { ...outcome, attempts }));
    }
    channel.ack(message);
  }

  private async stopConsumer(consumer: ActiveConsumer): Promise<void> {
    if (consumer.stopped) return;
    consumer.stopped = true;
    clearTimeout(consumer.rebuildTimer);
    this.consumers.delete(consumer);
    const channel = consumer.channel;
    if (!channel) return;
    // Stop new deliveries, let the ones in flight finish (bounded), then close: unacked messages go back to the queue.
    if (consumer.consumerTag) await channel.cancel(consumer.consumerTag).catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => { timer = setTimeout(resolve, this.options.drainTimeoutMs ?? 10_000); });
    await Promise.race([Promise.all(consumer.inFlight), deadline]);
    clearTimeout(timer);
    await channel.close().catch(() => undefined);
  }
}
