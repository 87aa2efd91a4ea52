// Public surface of @saga/order-service: the service built from given adapters (what main.ts and the embedded platform
// compose), its migrations, its fault operations, and the zod schemas of its HTTP API (the gateway's OpenAPI document).
export { createOrderService } from './order-service';
export { migrateOrderDb } from './store/order-migrations';
export { HttpPriceCatalog } from './inventory/http-price-catalog';
export { createOrderFaults, orderFaultOperations } from './faults';
export { idempotencyKey, listQuery, placeOrderBody, placedOrderSchema, sagaListQuery } from './http/order.routes';
export {
  orderChangeEventSchema,
  orderPageSchema,
  orderTimelineSchema,
  orderViewSchema,
  replayStartedSchema,
  retriedCompensationSchema,
  sagaListSchema,
  streamReadyEventSchema,
} from './http/order.schemas';
