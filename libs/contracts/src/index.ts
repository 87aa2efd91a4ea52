// Public surface of @saga/contracts: the envelope, typed message contracts and the broker names.
export * from './envelope';
export * from './message-contract';
export * from './names';
export * from './saga-messages';
export * from './order-events';
export * from './asyncapi';
