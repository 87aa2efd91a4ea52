// Who sends and who receives what: the part of the event catalogue the names alone do not say. Each row points at the
// code that declares it, so a reader can check it there (subscriptions and senders live in the services).
import { consumerGroups, queueBindings, routingKeys, topics } from '../names';
import { ChargePayment, NotificationSent, PaymentCompleted, PaymentFailed, PaymentReconciled, PaymentRefunded, ReleaseStock, RefundPayment, ReserveStock, SendNotification, StockReleased, StockReservationFailed, StockReserved } from '../saga-messages';
import type { MessageContract } from '../message-contract';

export type ServiceName = 'order' | 'inventory' | 'payment' | 'notification';
type AnyContract = MessageContract<string, unknown>;

/** The service that publishes on each event topic (services/<name>: enqueueOutbox with transport 'event'). */
export const topicProducers: Record<string, ServiceName> = {
  [topics.orderEvents]: 'order',
  [topics.inventoryEvents]: 'inventory',
  [topics.paymentEvents]: 'payment',
  [topics.notificationEvents]: 'notification',
};

/** Each consumer group, the service it belongs to and the topics it subscribes to (services/<name>/src/messaging/*.handler.ts). */
export const groupSubscriptions: { groupId: string; service: ServiceName; topics: string[] }[] = [
  { groupId: consumerGroups.inventory, service: 'inventory', topics: [topics.orderEvents, topics.paymentEvents] },
  { groupId: consumerGroups.payment, service: 'payment', topics: [topics.orderEvents, topics.inventoryEvents] },
  { groupId: consumerGroups.order, service: 'order', topics: [topics.inventoryEvents, topics.paymentEvents] },
  { groupId: consumerGroups.notification, service: 'notification', topics: [topics.orderEvents] },
  { groupId: consumerGroups.orderTimeline, service: 'order', topics: Object.values(topics) },
];

/** Which service consumes each work queue of queueBindings. */
export const queueConsumers: Record<keyof typeof queueBindings, ServiceName> = {
  inventoryCommands: 'inventory',
  paymentCommands: 'payment',
  notificationCommands: 'notification',
  orderSagaReplies: 'order',
};

/** What travels under each routing key on saga.commands, and who sends it (order/src/app/saga-commands.ts; the participants' replies). */
export const routedMessages: Record<string, { senders: ServiceName[]; messages: readonly AnyContract[] }> = {
  [routingKeys.reserveStock]: { senders: ['order'], messages: [ReserveStock] },
  [routingKeys.releaseStock]: { senders: ['order'], messages: [ReleaseStock] },
  [routingKeys.charge]: { senders: ['order'], messages: [ChargePayment] },
  [routingKeys.refund]: { senders: ['order'], messages: [RefundPayment] },
  [routingKeys.notify]: { senders: ['order'], messages: [SendNotification] },
  [routingKeys.sagaReply]: {
    senders: ['inventory', 'payment', 'notification'],
    messages: [StockReserved, StockReservationFailed, StockReleased, PaymentCompleted, PaymentFailed, PaymentRefunded, PaymentReconciled, NotificationSent],
  },
};

/**
 * Headers of a dead letter, as libs/messaging writes them (dead-letters/letter-records.ts, kafka/dead-letter-topic.ts,
 * rabbitmq/dead-letter-headers.ts). Kept here because contracts cannot import messaging (it depends on contracts).
 */
export const deadLetterHeaders = {
  common: {
    'x-error': 'Why the message was dead-lettered (the handler\'s reason, INVALID_ENVELOPE: …, or the last error).',
    'x-attempts': 'How many deliveries were tried.',
    'x-dead-lettered-at': 'ISO 8601 time it was dead-lettered.',
  },
  kafka: {
    'x-original-topic': 'The topic the event was read from.',
    'x-original-partition': 'Its partition there.',
    'x-original-offset': 'Its offset there.',
    'x-message-id': 'The envelope\'s messageId, when the value was a valid envelope.',
  },
  amqp: {
    'x-dead-letter-id': 'The letter\'s id for the dead-letter admin (absent when the broker dead-lettered it at the delivery limit: then x-death says why).',
    'x-original-queue': 'The queue the command or reply was consumed from.',
    'x-original-routing-key': 'Its routing key.',
  },
  redrive: {
    'x-redriven-from': 'On a re-driven message: the dead letter it came from.',
  },
} as const;

/** Partitions of `<group>.dlt` and `<group>.redrive` (created by the Kafka adapter with one partition each). */
export const DEAD_LETTER_TOPIC_PARTITIONS = 1;
