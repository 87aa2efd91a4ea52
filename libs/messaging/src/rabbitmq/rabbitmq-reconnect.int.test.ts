// The RabbitMQ adapter recovers when the broker drops its connection or one consumer's channel: consumers resume, sending works again.
import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { createEnvelope } from '@saga/contracts';
import { eventually } from '../testing/eventually';
import { closeChannelsFromBroker, consumerChannels } from '../testing/rabbitmq-broker-side';
import { RabbitMqCommandBus } from './rabbitmq-command-bus';

const url = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const managementUrl = process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://127.0.0.1:15672';

/** Asks the broker to close every connection with this name, as a broker restart or a network cut would. */
async function dropConnections(connectionName: string): Promise<number> {
  const { origin } = new URL(managementUrl);
  // The management API takes the same user as AMQP unless its URL names another.
  const credentials = new URL(managementUrl).username ? new URL(managementUrl) : new URL(url);
  const { username, password } = credentials;
  const auth = { authorization: `Basic ${Buffer.from(`${decodeURIComponent(username)}:${decodeURIComponent(password)}`).toString('base64')}` };
  const response = await fetch(`${origin}/api/connections`, { headers: auth });
  if (!response.ok) throw new Error(`management API answered ${response.status}`);
  const connections = (await response.json()) as { name: string; client_properties?: { connection_name?: string } }[];
  const ours = connections.filter((connection) => connection.client_properties?.connection_name === connectionName);
  for (const connection of ours) {
    await fetch(`${origin}/api/connections/${encodeURIComponent(connection.name)}`, { method: 'DELETE', headers: { ...auth, 'x-reason': 'test: simulated broker drop' } });
  }
  return ours.length;
}

/** Deletes what a test declared: its queue, its dead-letter queue and its two exchanges. */
async function removeTopology(queue: string, topology: { exchange: string; deadLetterExchange: string; deadLetterQueue: string }): Promise<void> {
  const connection = await connect(url);
  const channel = await connection.createChannel();
  await channel.deleteQueue(queue);
  await channel.deleteQueue(topology.deadLetterQueue);
  await channel.deleteExchange(topology.exchange);
  await channel.deleteExchange(topology.deadLetterExchange);
  await connection.close();
}

describe('RabbitMQ command bus: connection recovery', () => {
  jest.setTimeout(60_000);
  const run = randomUUID().slice(0, 8);
  const connectionName = `reconnect-test-${run}`;
  const spec = { queue: `reconnect-${run}`, bindings: [`reconnect.${run}`] };
  const topology = { exchange: `reconnect.commands.${run}`, deadLetterExchange: `reconnect.dlx.${run}`, deadLetterQueue: `reconnect.dlq.${run}` };
  let bus: RabbitMqCommandBus;

  beforeAll(async () => {
    bus = await RabbitMqCommandBus.connect({ url, connectionName, ...topology });
  });
  afterAll(async () => {
    await bus.close();
    await removeTopology(spec.queue, topology);
  });

  it('resumes consuming and sending after the broker closes the connection', async () => {
    const received: number[] = [];
    const subscription = await bus.consume({ ...spec, handle: async (command) => { received.push((command.envelope.payload as { n: number }).n); } });
    await bus.send(spec.bindings[0]!, createEnvelope('DoThing', 1, { n: 1 }, { correlationId: 'o-1' }));
    await eventually(() => expect(received).toEqual([1]));

    await eventually(async () => expect(await dropConnections(connectionName)).toBeGreaterThan(0), 10_000, 200);

    // send() waits for the recovered connection rather than failing the caller.
    await eventually(() => bus.send(spec.bindings[0]!, createEnvelope('DoThing', 1, { n: 2 }, { correlationId: 'o-2' })), 30_000, 200);
    await eventually(() => expect(received).toEqual([1, 2]), 30_000);
    await subscription.close();
  });
});

describe('RabbitMQ command bus: a consumer the broker cancels', () => {
  jest.setTimeout(60_000);
  const run = randomUUID().slice(0, 8);
  const spec = { queue: `cancelled-${run}`, bindings: [`cancelled.${run}`] };
  const topology = { exchange: `cancelled.commands.${run}`, deadLetterExchange: `cancelled.dlx.${run}`, deadLetterQueue: `cancelled.dlq.${run}` };
  let bus: RabbitMqCommandBus;

  beforeAll(async () => {
    bus = await RabbitMqCommandBus.connect({ url, connectionName: `cancel-test-${run}`, ...topology });
  });
  afterAll(async () => {
    await bus.close();
    await removeTopology(spec.queue, topology);
  });

  it('is reported down while its queue is gone, and consumes again by itself once the queue is back', async () => {
    const received: number[] = [];
    const subscription = await bus.consume({ ...spec, handle: async (command) => { received.push((command.envelope.payload as { n: number }).n); } });
    expect(subscription.isRunning()).toBe(true);

    // Deleted from another connection: the broker cancels our consumer (basic.cancel), the channel stays open.
    const other = await connect(url);
    const admin = await other.createChannel();
    await admin.deleteQueue(spec.queue);
    await other.close();
    await eventually(() => expect(subscription.isRunning()).toBe(false), 10_000, 50);

    await bus.ensureQueue(spec);
    await eventually(() => expect(subscription.isRunning()).toBe(true), 20_000, 100);
    await bus.send(spec.bindings[0]!, createEnvelope('DoThing', 1, { n: 7 }, { correlationId: 'o-7' }));
    await eventually(() => expect(received).toEqual([7]), 10_000);
    await subscription.close();
  });
});

describe('RabbitMQ command bus: a consumer whose channel the broker closes', () => {
  jest.setTimeout(60_000);
  const run = randomUUID().slice(0, 8);
  const spec = { queue: `channel-closed-${run}`, bindings: [`channel-closed.${run}`] };
  const topology = { exchange: `channel-closed.commands.${run}`, deadLetterExchange: `channel-closed.dlx.${run}`, deadLetterQueue: `channel-closed.dlq.${run}` };
  let bus: RabbitMqCommandBus;

  beforeAll(async () => {
    bus = await RabbitMqCommandBus.connect({ url, connectionName: `channel-test-${run}`, ...topology });
  });
  afterAll(async () => {
    await bus.close();
    await removeTopology(spec.queue, topology);
  });

  it('is rebuilt on a new channel of the same connection; the message in flight is redelivered and handled', async () => {
    const received: number[] = [];
    let holdFirst = true;
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => { releaseFirst = resolve; });
    const subscription = await bus.consume({
      ...spec,
      handle: async (command) => {
        const { n } = command.envelope.payload as { n: number };
        // The first delivery is still unacknowledged when its channel dies: the broker must hand it out again.
        if (n === 1 && holdFirst) { holdFirst = false; await firstHeld; return; }
        received.push(n);
      },
    });
    await bus.send(spec.bindings[0]!, createEnvelope('DoThing', 1, { n: 1 }, { correlationId: 'o-1' }));
    const channels = await eventually(async () => {
      const found = await consumerChannels(managementUrl, '/', { queue: spec.queue, amqpUrl: url });
      expect(found).toHaveLength(1);
      return found;
    });

    expect(await closeChannelsFromBroker(channels.map((c) => c.channel))).toBe(1);
    releaseFirst();

    // Back by itself, on another channel: the broker redelivers the unacknowledged message, and new ones flow.
    // The management API's view lags by up to its statistics interval (5 s): poll it.
    await eventually(async () => {
      const after = await consumerChannels(managementUrl, '/', { queue: spec.queue, amqpUrl: url });
      expect(after.map((c) => c.consumerTag)).toEqual([expect.not.stringMatching(`^${channels[0]!.consumerTag}$`)]);
    }, 20_000, 200);
    await eventually(() => expect(subscription.isRunning()).toBe(true), 10_000, 50);
    await bus.send(spec.bindings[0]!, createEnvelope('DoThing', 1, { n: 2 }, { correlationId: 'o-2' }));
    // At least once: 1 is seen again because its ack died with the old channel (real handlers dedupe in their inbox).
    await eventually(() => expect([...new Set(received)].sort()).toEqual([1, 2]), 20_000);
    await subscription.close();
  });
});
