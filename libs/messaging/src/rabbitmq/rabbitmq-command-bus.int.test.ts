// Runs the CommandBus contract suite against a real RabbitMQ broker (RABBITMQ_URL, started by `npm run infra:up`).
import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { describeCommandBusContract } from '../testing/command-bus.contract';
import { RabbitMqCommandBus } from './rabbitmq-command-bus';

const url = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
// A private exchange and dead-letter queue per run, so runs never see each other's letters.
const run = randomUUID().slice(0, 8);
const options = { url, exchange: `contract.commands.${run}`, deadLetterExchange: `contract.dlx.${run}`, deadLetterQueue: `contract.dlq.${run}` };

describeCommandBusContract('rabbitmq', async () => {
  const bus = await RabbitMqCommandBus.connect(options);
  const others: RabbitMqCommandBus[] = [];
  return {
    bus,
    secondBus: async () => {
      const other = await RabbitMqCommandBus.connect(options);
      others.push(other);
      return other;
    },
    sendRaw: (routingKey, raw) => bus.sendRaw(routingKey, raw),
    close: async (createdQueues) => {
      await bus.close();
      await Promise.all(others.map((other) => other.close()));
      await deleteRunTopology(createdQueues);
    },
  };
});

async function deleteRunTopology(createdQueues: readonly string[]): Promise<void> {
  const connection = await connect(url);
  const channel = await connection.createChannel();
  for (const queue of createdQueues) await channel.deleteQueue(queue);
  await channel.deleteQueue(options.deadLetterQueue);
  await channel.deleteExchange(options.exchange);
  await channel.deleteExchange(options.deadLetterExchange);
  await connection.close();
}
