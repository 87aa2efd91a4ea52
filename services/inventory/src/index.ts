// Public surface of @saga/inventory-service: the service built from given adapters (what main.ts and the embedded
// platform compose), its migrations, its fault operations, and the zod schemas of its HTTP API (the gateway's OpenAPI document).
export { createInventoryService } from './inventory-service';
export { migrateInventoryDb } from './store/inventory-migrations';
export { inventoryFaultOperations } from './faults';
export { productListSchema, productSchema, restockBody } from './http/inventory.routes';
