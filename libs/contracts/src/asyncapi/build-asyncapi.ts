// The AsyncAPI 3 document of every message, built from the names and contracts of this package: nothing hand-copied.
// `npm run asyncapi:render` writes it to docs/asyncapi.json; the gateway serves it at /api/asyncapi.json.
import { z } from 'zod';
import { messageEnvelopeSchema } from '../envelope';
import type { MessageContract } from '../message-contract';
import { EVENT_TOPIC_PARTITIONS, consumerGroups, deadLetterTopicFor, exchanges, queueBindings, queues, redriveTopicFor, routingKeys } from '../names';
import { eventTopics } from '../order-events';
import { DEAD_LETTER_TOPIC_PARTITIONS, deadLetterHeaders, groupSubscriptions, queueConsumers, routedMessages, topicProducers, type ServiceName } from './message-flows';

type Json = Record<string, unknown>;
type AnyContract = MessageContract<string, unknown>;

const ref = (path: string) => ({ $ref: `#/${path}` });
/** Channel and operation ids: letters, digits, `-` and `_` only. */
const idOf = (name: string) => name.replace(/[^A-Za-z0-9_-]+/g, '-');
const kafkaBinding = { bindingVersion: '0.5.0' };
const amqpBinding = { bindingVersion: '0.3.0' };

/** The JSON Schema of a zod schema, in the draft AsyncAPI's default schema format builds on. */
function jsonSchema(schema: z.ZodType): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input' }) as Json;
  return rest;
}

const stringHeaders = (headers: Record<string, string>, required: string[] = []): Json => ({
  type: 'object',
  properties: Object.fromEntries(Object.entries(headers).map(([name, description]) => [name, { type: 'string', description }])),
  ...(required.length > 0 ? { required } : {}),
});

/** One message: the envelope as encodeEnvelope writes it (JSON), with this contract's type, version and payload. */
function messageOf(contract: AnyContract): Json {
  const envelope = messageEnvelopeSchema.extend({ type: z.literal(contract.type), version: z.literal(contract.version), payload: contract.schema });
  return {
    name: contract.type,
    title: `${contract.type} v${contract.version}`,
    contentType: 'application/json',
    correlationId: ref('components/correlationIds/orderId'),
    headers: {
      ...stringHeaders({ type: 'The envelope\'s type.', 'message-id': 'The envelope\'s messageId.' }),
      description: 'Kafka record headers (on RabbitMQ the same values travel as the properties type and messageId, with correlationId and replyTo).',
    },
    payload: { ...jsonSchema(envelope), description: 'The message envelope (libs/contracts/src/envelope.ts) carrying the contract\'s payload.' },
    bindings: {
      kafka: { key: { type: 'string', description: 'The orderId (= envelope.correlationId): one order\'s events stay in order on one partition.' }, ...kafkaBinding },
      amqp: { messageType: contract.type, ...amqpBinding },
    },
  };
}

const deadLetterMessages = {
  KafkaDeadLetter: {
    name: 'KafkaDeadLetter',
    title: 'A dead-lettered event',
    summary: 'The original record\'s key and bytes (not necessarily a valid envelope), with why and from where.',
    headers: stringHeaders({ ...deadLetterHeaders.common, ...deadLetterHeaders.kafka }, ['x-error', 'x-original-topic', 'x-attempts', 'x-dead-lettered-at']),
    payload: { description: 'The original value, unchanged.' },
    bindings: { kafka: { key: { type: 'string', description: 'The original key (the orderId).' }, ...kafkaBinding } },
  },
  KafkaRedrive: {
    name: 'KafkaRedrive',
    title: 'A re-driven event',
    summary: 'A dead letter sent back to the one group that failed on it, through its redrive topic.',
    headers: stringHeaders({ ...deadLetterHeaders.redrive, 'x-original-topic': deadLetterHeaders.kafka['x-original-topic'] }, ['x-redriven-from']),
    payload: { description: 'The original value, unchanged.' },
    bindings: { kafka: { key: { type: 'string', description: 'The original key (the orderId).' }, ...kafkaBinding } },
  },
  AmqpDeadLetter: {
    name: 'AmqpDeadLetter',
    title: 'A dead-lettered command or reply',
    summary: 'Parked by the consumer (poison, retries exhausted) or by the broker (the quorum queue\'s delivery limit, with x-death).',
    headers: stringHeaders({ ...deadLetterHeaders.common, ...deadLetterHeaders.amqp }),
    payload: { description: 'The original body, unchanged; the original properties (messageId, type, correlationId, replyTo) are kept.' },
    bindings: { amqp: { ...amqpBinding } },
  },
};

const queueChannelBinding = (name: string, extra: Json = {}) => ({
  amqp: { is: 'queue', queue: { name, durable: true, exclusive: false, autoDelete: false, vhost: '/' }, ...extra, ...amqpBinding },
});
const exchangeChannelBinding = (name: string, type: 'direct' | 'fanout') => ({
  amqp: { is: 'routingKey', exchange: { name, type, durable: true, autoDelete: false, vhost: '/' }, ...amqpBinding },
});
const messageRefs = (contracts: readonly AnyContract[]) => Object.fromEntries(contracts.map((c) => [c.type, ref(`components/messages/${c.type}`)]));
const channelMessage = (channelId: string, message: string) => ref(`channels/${channelId}/messages/${message}`);

export function buildAsyncApiDocument(): Json {
  const channels: Json = {};
  const operations: Json = {};
  const contracts = new Map<string, AnyContract>();
  const remember = (list: readonly AnyContract[]) => list.forEach((c) => contracts.set(c.type, c));
  const operation = (id: string, action: 'send' | 'receive', channelId: string, messages: string[], summary: string, extra: Json = {}) => {
    operations[idOf(id)] = { action, channel: ref(`channels/${channelId}`), summary, messages: messages.map((m) => channelMessage(channelId, m)), ...extra };
  };

  // Kafka: one topic per producing service, keyed by orderId.
  for (const [topic, list] of Object.entries(eventTopics) as [string, readonly AnyContract[]][]) {
    remember(list);
    const id = idOf(topic);
    channels[id] = {
      address: topic,
      title: topic,
      description: `Domain events of the ${topicProducers[topic]} service (choreography), keyed by orderId, ${EVENT_TOPIC_PARTITIONS} partitions.`,
      servers: [ref('servers/kafka')],
      messages: messageRefs(list),
      bindings: { kafka: { topic, partitions: EVENT_TOPIC_PARTITIONS, ...kafkaBinding } },
    };
    operation(`${topicProducers[topic]}.publish.${topic}`, 'send', id, list.map((c) => c.type), `The ${topicProducers[topic]} service publishes (through its outbox, acks=all).`);
  }
  for (const { groupId, service, topics: subscribed } of groupSubscriptions) {
    for (const topic of subscribed) {
      const list = eventTopics[topic as keyof typeof eventTopics] as readonly AnyContract[];
      operation(`${groupId}.consume.${topic}`, 'receive', idOf(topic), list.map((c) => c.type), `Consumer group ${groupId} (${service} service); the offset is committed after the handler finished.`, {
        bindings: { kafka: { groupId: { type: 'string', enum: [groupId] }, ...kafkaBinding } },
      });
    }
    const dlt = idOf(deadLetterTopicFor(groupId));
    const redrive = idOf(redriveTopicFor(groupId));
    channels[dlt] = {
      address: deadLetterTopicFor(groupId),
      description: `Events group ${groupId} gave up on (poison, or retries exhausted). Listed and re-driven by the ${service} service's dead-letter admin.`,
      servers: [ref('servers/kafka')],
      messages: { KafkaDeadLetter: ref('components/messages/KafkaDeadLetter') },
      bindings: { kafka: { topic: deadLetterTopicFor(groupId), partitions: DEAD_LETTER_TOPIC_PARTITIONS, ...kafkaBinding } },
    };
    channels[redrive] = {
      address: redriveTopicFor(groupId),
      description: `Dead letters re-driven to group ${groupId} alone (other groups see nothing twice).`,
      servers: [ref('servers/kafka')],
      messages: { KafkaRedrive: ref('components/messages/KafkaRedrive') },
      bindings: { kafka: { topic: redriveTopicFor(groupId), partitions: DEAD_LETTER_TOPIC_PARTITIONS, ...kafkaBinding } },
    };
    operation(`${groupId}.dead-letter`, 'send', dlt, ['KafkaDeadLetter'], `Group ${groupId} parks an event it cannot process, with the reason.`);
    operation(`${groupId}.consume-redrive`, 'receive', redrive, ['KafkaRedrive'], `Group ${groupId} consumes re-driven letters as if read from their original topic.`);
  }

  // RabbitMQ: commands and replies on the direct exchange, by routing key; one durable quorum queue per consumer.
  for (const [key, { senders, messages }] of Object.entries(routedMessages)) {
    remember(messages);
    const id = idOf(`${exchanges.commands}.${key}`);
    channels[id] = {
      address: key,
      title: `${exchanges.commands} → ${key}`,
      description: `Routing key ${key} on the direct exchange ${exchanges.commands} (orchestration).`,
      servers: [ref('servers/rabbitmq')],
      messages: messageRefs(messages),
      bindings: exchangeChannelBinding(exchanges.commands, 'direct'),
    };
    for (const sender of senders) {
      operation(`${sender}.send.${key}`, 'send', id, messages.map((c) => c.type), `The ${sender} service sends (outbox, publisher confirms, persistent, mandatory).`, {
        bindings: { amqp: { deliveryMode: 2, mandatory: true, ...amqpBinding } },
      });
    }
  }
  for (const [name, { queue, bindings }] of Object.entries(queueBindings) as [keyof typeof queueBindings, { queue: string; bindings: string[] }][]) {
    const carried = bindings.flatMap((key) => routedMessages[key]?.messages ?? []);
    const id = idOf(queue);
    channels[id] = {
      address: queue,
      title: queue,
      description: `Quorum queue bound to ${exchanges.commands} with ${bindings.join(', ')}; delivery limit, then dead-lettered to ${exchanges.deadLetter}.`,
      servers: [ref('servers/rabbitmq')],
      messages: messageRefs(carried),
      bindings: queueChannelBinding(queue),
    };
    const service: ServiceName = queueConsumers[name];
    operation(`${service}.consume.${queue}`, 'receive', id, carried.map((c) => c.type), `The ${service} service consumes; acked after its transaction committed.`, {
      bindings: { amqp: { ack: true, ...amqpBinding } },
    });
  }
  const dlx = idOf(`${exchanges.deadLetter}.exchange`);
  channels[dlx] = {
    address: exchanges.deadLetter,
    title: `${exchanges.deadLetter} (fanout exchange)`,
    description: 'Dead-letter exchange of every work queue (x-dead-letter-exchange) and where consumers park poison.',
    servers: [ref('servers/rabbitmq')],
    messages: { AmqpDeadLetter: ref('components/messages/AmqpDeadLetter') },
    bindings: exchangeChannelBinding(exchanges.deadLetter, 'fanout'),
  };
  const dlq = idOf(`${queues.deadLetter}.queue`);
  channels[dlq] = {
    address: queues.deadLetter,
    title: `${queues.deadLetter} (queue)`,
    description: `Bound to the fanout exchange ${exchanges.deadLetter}; read by the services' dead-letter admin, which re-drives a letter to its original queue.`,
    servers: [ref('servers/rabbitmq')],
    messages: { AmqpDeadLetter: ref('components/messages/AmqpDeadLetter') },
    bindings: queueChannelBinding(queues.deadLetter),
  };
  for (const service of [...new Set(Object.values(queueConsumers))]) {
    operation(`${service}.dead-letter`, 'send', dlx, ['AmqpDeadLetter'], `The ${service} service parks a command or reply it cannot process, with the reason.`);
  }
  operation('dead-letter-admin.list', 'receive', dlq, ['AmqpDeadLetter'], 'The dead-letter admin (each service, for its own queues) lists and re-drives letters.');

  const messages = Object.fromEntries([...contracts.values()].sort((a, b) => a.type.localeCompare(b.type)).map((c) => [c.type, messageOf(c)]));
  return {
    asyncapi: '3.1.0',
    info: {
      title: 'saga-platform messages',
      version: '1.0.0',
      description: [
        'Every message of the order saga: domain events on Kafka (choreography) and commands and replies on RabbitMQ (orchestration),',
        'each in the envelope of libs/contracts (messageId, type, version, occurredAt, correlationId = orderId, causationId, traceparent).',
        `Consumer groups: ${Object.values(consumerGroups).join(', ')}. Reply routing key: ${routingKeys.sagaReply} (commands carry it as replyTo).`,
        'Generated from libs/contracts by `npm run asyncapi:render`; do not edit by hand.',
      ].join(' '),
      license: { name: 'Apache-2.0' },
    },
    defaultContentType: 'application/json',
    servers: {
      kafka: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'The native broker of infra/local (KAFKA_BROKERS elsewhere).' },
      rabbitmq: { host: '127.0.0.1:5672', protocol: 'amqp', description: 'The native broker of infra/local (RABBITMQ_URL elsewhere).' },
    },
    channels,
    operations,
    components: {
      messages: { ...messages, ...deadLetterMessages },
      correlationIds: { orderId: { description: 'The orderId the message is about.', location: '$message.payload#/correlationId' } },
    },
  };
}
