// Public surface of the idempotent inbox: a handler's effect applied at most once per (consumer, messageId).
export { handleOnce, markProcessed, wasProcessed } from './idempotent-inbox';
