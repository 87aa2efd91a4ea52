// Names of every topic, exchange and queue, defined once so producers, consumers, compose and k8s agree.

/** Kafka topics, one per producing service, versioned in the name so a breaking change gets a new topic. */
export const topics = {
  orderEvents: 'orders.events.v1',
  inventoryEvents: 'inventory.events.v1',
  paymentEvents: 'payments.events.v1',
  notificationEvents: 'notifications.events.v1',
} as const;

/** Consumer groups, one per service (members of a group share partitions; each group sees every event). */
export const consumerGroups = {
  inventory: 'inventory-service',
  payment: 'payment-service',
  order: 'order-service',
  notification: 'notification-service',
  /** The order service's timeline read model: a group of its own, so it can be rebuilt from offset 0. */
  orderTimeline: 'order-timeline',
} as const;

/** Every event topic with its partition count, for `EventLog.ensureTopics` at start-up. */
export const eventTopicSpecs = (): { name: string; partitions: number }[] =>
  Object.values(topics).map((name) => ({ name, partitions: EVENT_TOPIC_PARTITIONS }));

export type TopicName = (typeof topics)[keyof typeof topics];

/** Partitions per event topic: events are keyed by orderId, so more partitions mean more orders in parallel. */
export const EVENT_TOPIC_PARTITIONS = 3;

/** Kafka dead-letter topic for one consumer group: a poison event is a problem of the group that failed on it. */
export function deadLetterTopicFor(groupId: string): string {
  return `${groupId}.dlt`;
}

/** Where a re-driven dead letter goes back to its group: a topic only that group reads, so other groups see nothing twice. */
export function redriveTopicFor(groupId: string): string {
  return `${groupId}.redrive`;
}

/** RabbitMQ exchanges. */
export const exchanges = {
  /** Direct exchange carrying saga commands and their replies, routed by routing key. */
  commands: 'saga.commands',
  /** Where queues dead-letter what they cannot process (delivery limit) and where consumers park poison. */
  deadLetter: 'saga.dead-letter',
} as const;

/** RabbitMQ queues, one per consumer, and the routing keys bound to them. */
export const queues = {
  inventoryCommands: 'inventory.commands',
  paymentCommands: 'payment.commands',
  notificationCommands: 'notification.commands',
  orderSagaReplies: 'order.saga-replies',
  deadLetter: 'saga.dead-letter',
} as const;

export const routingKeys = {
  reserveStock: 'inventory.reserve-stock',
  releaseStock: 'inventory.release-stock',
  charge: 'payment.charge',
  refund: 'payment.refund',
  notify: 'notification.send',
  sagaReply: 'order.saga-reply',
} as const;

/** Each work queue with the routing keys bound to it: declared by its consumer, and by any sender that starts first. */
export const queueBindings: Record<'inventoryCommands' | 'paymentCommands' | 'notificationCommands' | 'orderSagaReplies', { queue: string; bindings: string[] }> = {
  inventoryCommands: { queue: queues.inventoryCommands, bindings: [routingKeys.reserveStock, routingKeys.releaseStock] },
  paymentCommands: { queue: queues.paymentCommands, bindings: [routingKeys.charge, routingKeys.refund] },
  notificationCommands: { queue: queues.notificationCommands, bindings: [routingKeys.notify] },
  orderSagaReplies: { queue: queues.orderSagaReplies, bindings: [routingKeys.sagaReply] },
};

/** The two ways an order's saga runs, chosen per order. */
export const sagaModes = ['orchestration', 'choreography'] as const;
export type SagaMode = (typeof sagaModes)[number];

/**
 * The service a queue or consumer group belongs to (a replayed timeline's group too), for attributing its consumers'
 * spans where several services share one process (the embedded platform); undefined for a name the platform does not own.
 */
export function serviceOfConsumer(queueOrGroup: string): string | undefined {
  const owners: Record<string, string> = {
    [queues.inventoryCommands]: 'inventory',
    [queues.paymentCommands]: 'payment',
    [queues.notificationCommands]: 'notification',
    [queues.orderSagaReplies]: 'order',
    [consumerGroups.inventory]: 'inventory',
    [consumerGroups.payment]: 'payment',
    [consumerGroups.order]: 'order',
    [consumerGroups.notification]: 'notification',
  };
  if (owners[queueOrGroup]) return owners[queueOrGroup];
  return queueOrGroup.startsWith(consumerGroups.orderTimeline) ? 'order' : undefined;
}
