// The AsyncAPI document of the messages, and the tables it is built from.
export { buildAsyncApiDocument } from './build-asyncapi';
export { groupSubscriptions, queueConsumers, routedMessages, topicProducers, type ServiceName } from './message-flows';
