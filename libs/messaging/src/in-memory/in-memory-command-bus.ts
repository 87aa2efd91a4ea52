// In-memory twin of the RabbitMQ command bus: direct routing, durable queues, prefetch, acks, redelivery, dead letters.
import { randomUUID } from 'node:crypto';
import { encodeEnvelope, type MessageEnvelope } from '@saga/contracts';
import { deliver, resolvePolicy } from '../delivery';
import { UnroutableMessageError, type CommandBus, type CommandConsumer, type QueueSpec, type SendOptions } from '../ports/command-bus.port';
import type { DeadLetter, RedriveOutcome, Subscription } from '../ports/delivery.types';

interface QueuedMessage {
  routingKey: string;
  raw: string;
  replyTo?: string;
  traceparent?: string;
  redelivered: boolean;
}

interface ActiveConsumer {
  spec: CommandConsumer;
  inFlight: Set<Promise<void>>;
  stopped: boolean;
}

interface Queue {
  ready: QueuedMessage[];
  consumers: ActiveConsumer[];
  nextConsumer: number;
}

export class InMemoryCommandBus implements CommandBus {
  private readonly queues = new Map<string, Queue>();
  private readonly bindings = new Map<string, Set<string>>();
  /** With the reply address, which a re-driven command must keep (RabbitMQ keeps the message's properties). */
  private readonly deadLetterQueue: { letter: DeadLetter; replyTo?: string }[] = [];

  async ensureQueue(spec: QueueSpec): Promise<void> {
    if (!this.queues.has(spec.queue)) this.queues.set(spec.queue, { ready: [], consumers: [], nextConsumer: 0 });
    for (const key of spec.bindings) {
      const bound = this.bindings.get(key) ?? new Set<string>();
      bound.add(spec.queue);
      this.bindings.set(key, bound);
    }
  }

  async send(routingKey: string, envelope: MessageEnvelope, options: SendOptions = {}): Promise<void> {
    this.sendRaw(routingKey, encodeEnvelope(envelope).toString('utf8'), options.replyTo, options.traceparent);
  }

  /** Test hook: routes arbitrary bytes, as a misbehaving sender would. */
  sendRaw(routingKey: string, raw: string, replyTo?: string, traceparent?: string): void {
    const targets = this.bindings.get(routingKey);
    if (!targets || targets.size === 0) throw new UnroutableMessageError(routingKey);
    for (const name of targets) {
      const queue = this.queues.get(name)!;
      queue.ready.push({ routingKey, raw, redelivered: false, ...(replyTo === undefined ? {} : { replyTo }), ...(traceparent === undefined ? {} : { traceparent }) });
      this.dispatch(name);
    }
  }

  async consume(spec: CommandConsumer): Promise<Subscription> {
    await this.ensureQueue(spec);
    const queue = this.queues.get(spec.queue)!;
    const consumer: ActiveConsumer = { spec, inFlight: new Set(), stopped: false };
    queue.consumers.push(consumer);
    this.dispatch(spec.queue);
    return {
      close: async () => {
        consumer.stopped = true;
        queue.consumers = queue.consumers.filter((other) => other !== consumer);
        // Drain: handlers in flight finish (or give up at their next retry), as the RabbitMQ adapter does.
        await Promise.all(consumer.inFlight);
        this.dispatch(spec.queue);
      },
      // In one process nothing can cut a consumer off: it runs until closed.
      isRunning: () => !consumer.stopped,
    };
  }

  async peekDeadLetters(): Promise<DeadLetter[]> {
    return this.deadLetterQueue.map(({ letter }) => ({ ...letter }));
  }

  /** Like the RabbitMQ adapter: back to the queue it came from, and out of the dead-letter queue. */
  async redriveDeadLetter(id: string): Promise<RedriveOutcome> {
    const index = this.deadLetterQueue.findIndex(({ letter }) => letter.id === id);
    if (index === -1) return 'not-found';
    const { letter, replyTo } = this.deadLetterQueue[index]!;
    const queue = this.queues.get(letter.source);
    if (!queue) throw new UnroutableMessageError(letter.source);
    this.deadLetterQueue.splice(index, 1);
    queue.ready.push({ routingKey: letter.source, raw: letter.raw, redelivered: false, ...(replyTo === undefined ? {} : { replyTo }) });
    this.dispatch(letter.source);
    return 'redriven';
  }

  async close(): Promise<void> {
    for (const queue of this.queues.values()) {
      for (const consumer of queue.consumers) consumer.stopped = true;
      await Promise.all(queue.consumers.flatMap((consumer) => [...consumer.inFlight]));
      queue.consumers = [];
    }
  }

  /** Hands ready messages to consumers with spare prefetch capacity, round-robin like RabbitMQ. */
  private dispatch(name: string): void {
    const queue = this.queues.get(name);
    if (!queue) return;
    while (queue.ready.length > 0) {
      const consumer = this.nextWithCapacity(queue);
      if (!consumer) return;
      const message = queue.ready.shift()!;
      const work = this.process(name, queue, consumer, message).finally(() => {
        consumer.inFlight.delete(work);
        this.dispatch(name);
      });
      consumer.inFlight.add(work);
    }
  }

  private nextWithCapacity(queue: Queue): ActiveConsumer | undefined {
    for (let i = 0; i < queue.consumers.length; i += 1) {
      const index = (queue.nextConsumer + i) % queue.consumers.length;
      const consumer = queue.consumers[index]!;
      if (!consumer.stopped && consumer.inFlight.size < (consumer.spec.prefetch ?? 10)) {
        queue.nextConsumer = index + 1;
        return consumer;
      }
    }
    return undefined;
  }

  private async process(name: string, queue: Queue, consumer: ActiveConsumer, message: QueuedMessage): Promise<void> {
    let attempts = 0;
    const outcome = await deliver({
      raw: message.raw,
      policy: resolvePolicy(consumer.spec.retry),
      trace: { system: 'in-memory', destination: name, ...(message.traceparent === undefined ? {} : { traceparent: message.traceparent }) },
      isStopped: () => consumer.stopped,
      handle: (envelope, attempt) => {
        attempts = attempt;
        return consumer.spec.handle({
          queue: name,
          routingKey: message.routingKey,
          envelope,
          redelivered: message.redelivered,
          attempt,
          ...(message.replyTo === undefined ? {} : { replyTo: message.replyTo }),
        });
      },
    });
    if (outcome.kind === 'stopped') {
      // Never acknowledged: back to the head of the queue, flagged as a redelivery.
      queue.ready.unshift({ ...message, redelivered: true });
      return;
    }
    if (outcome.kind === 'dead-letter') {
      this.deadLetterQueue.push({
        letter: {
          id: randomUUID(),
          raw: message.raw,
          reason: outcome.reason,
          source: name,
          attempts,
          deadLetteredAt: new Date().toISOString(),
          ...(outcome.messageId ? { messageId: outcome.messageId } : {}),
        },
        ...(message.replyTo === undefined ? {} : { replyTo: message.replyTo }),
      });
    }
  }
}
