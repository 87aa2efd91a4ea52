// The OpenAPI 3.1 document of the public API, as seen through the gateway, built from the zod schemas the routes
// validate with (exported next to each route). `npm run openapi:render` writes it to docs/openapi.json.
import { faultRuleInput } from '@saga/faults';
import { outboxListQuery } from '@saga/messaging';
import { productListSchema, productSchema, restockBody } from '@saga/inventory-service/http/inventory.routes';
import { notificationsQuery } from '@saga/notification-service/http/notification.routes';
import { idempotencyKey, listQuery, placeOrderBody, placedOrderSchema, sagaListQuery } from '@saga/order-service/http/order.routes';
import { chargesQuery, reconcileBody } from '@saga/payment-service/http/payment-admin.routes';
import { paymentsQuery } from '@saga/payment-service/http/payments.routes';
import { z } from 'zod';
import { deadLetterGatewayQuery } from '../dead-letters.routes';
import { tokenRequestSchema, tokenResponseSchema } from '../token.schemas';
import { components, describedObject, schemaOf, errors, jsonBody, jsonResponse, pathParameter, queryParameters, rateLimited, type Json } from './openapi-parts';

const services = ['order', 'inventory', 'payment', 'notification'] as const;
const serviceParam = pathParameter('service', z.enum(services), 'The service whose operator API is addressed');
const orderIdParam = pathParameter('orderId', z.uuid());
/** Every /api route: a bearer token, the per-user limit, and the gateway's own failures. */
const apiErrors = errors(401, 429, 503, 504);
const adminErrors = errors(401, 403, 429, 503, 504);

function op(tag: string, summary: string, responses: Json, extra: Json = {}, admin = false): Json {
  return { tags: [tag], summary, ...extra, responses: { ...responses, ...(admin ? adminErrors : apiErrors) } };
}
const ok = (description: string, schema: Json | z.ZodType, status = '200') => ({ [status]: jsonResponse(description, schema, rateLimited) });

const paths: Record<string, Json> = {
  '/auth/token': {
    post: {
      tags: ['auth'],
      summary: 'Issue an ES256 access token (demo issuer; off with an external issuer: 404 ISSUER_DISABLED)',
      security: [],
      requestBody: jsonBody(tokenRequestSchema),
      responses: { ...ok('The token', tokenResponseSchema), ...errors(400, 401, 404, 413, 415, 429) },
    },
  },
  '/api/orders': {
    post: op('orders', 'Place an order: starts its saga', { ...ok('Accepted; the saga runs (`Location`: the order; `Idempotent-Replayed: true` on a replay)', placedOrderSchema, '202'), ...errors(400, 409, 413, 415, 422) }, {
      parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, description: 'Same key and body: the same answer; same key, other body: 409', schema: schemaOf(idempotencyKey) }],
      requestBody: jsonBody(placeOrderBody),
    }),
    get: op('orders', "The caller's orders, newest first; cursor pagination", { ...ok('A page', describedObject('{items: Order[], nextCursor?: string}; pass nextCursor as cursor for the next page')), ...errors(400) }, {
      parameters: queryParameters(listQuery),
    }),
  },
  '/api/orders/{orderId}': {
    get: op('orders', 'One order with its saga history', { ...ok('The order', describedObject('{orderId, customerId, status, sagaMode, items, totalCents, failureReason?, history}')), ...errors(404) }, { parameters: [orderIdParam] }),
  },
  '/api/orders/{orderId}/timeline': {
    get: op('orders', "Every event about the order from every service's Kafka topic", { ...ok('The timeline', describedObject('{orderId, events}')), ...errors(404) }, { parameters: [orderIdParam] }),
  },
  '/api/inventory/products': { get: op('inventory', 'The catalog', ok('Every product', productListSchema)) },
  '/api/inventory/products/{sku}': {
    get: op('inventory', 'One product', { ...ok('The product', productSchema), ...errors(404) }, { parameters: [pathParameter('sku', restockBody.shape.sku)] }),
  },
  '/api/payments': {
    get: op('payments', "An order's payment (the caller's own; an admin sees all)", { ...ok('Payments', describedObject('{items: Payment[]}')), ...errors(400) }, { parameters: queryParameters(paymentsQuery) }),
  },
  '/api/notifications': {
    get: op('notifications', 'Notices sent for an order (the caller\'s own; an admin sees all)', { ...ok('Notifications', describedObject('{items: Notification[]}')), ...errors(400) }, {
      parameters: queryParameters(notificationsQuery),
    }),
  },
  '/api/admin/orders': {
    get: op('admin', 'Sagas in a status, newest first (e.g. COMPENSATION_FAILED)', { ...ok('Sagas', describedObject('{items: [{orderId, sagaId, customerId, orderStatus, sagaStatus, awaiting, failureReason?, updatedAt}]}')), ...errors(400) }, { parameters: queryParameters(sagaListQuery) }, true),
  },
  '/api/admin/orders/{orderId}/retry-compensation': {
    post: op('admin', 'Resend a compensation parked in COMPENSATION_FAILED', { ...ok('Resent', describedObject('{orderId, sagaStatus}'), '202'), ...errors(404, 409) }, { parameters: [orderIdParam] }, true),
  },
  '/api/admin/replay': {
    post: op('admin', 'Rebuild the timeline read model from offset 0', ok('Started', describedObject('{generation}'), '202'), {}, true),
  },
  '/api/admin/restock': {
    post: op('admin', 'Add stock to a product', { ...ok('The product after restocking', productSchema), ...errors(400, 404, 413, 415, 422) }, { requestBody: jsonBody(restockBody) }, true),
  },
  '/api/admin/reconcile': {
    post: op('admin', 'Reconcile payments with the provider now (one order, or every settled payment due)', { ...ok('The report', describedObject('{checked, repairs, errors}')), ...errors(400, 413, 415) }, { requestBody: jsonBody(reconcileBody, false) }, true),
  },
  '/api/admin/provider/charges': {
    get: op('admin', "The payment provider's own books for an order", { ...ok('Charges', describedObject('{items: [{chargeId, orderId, amountCents, refundedCents, status}]}')), ...errors(400) }, { parameters: queryParameters(chargesQuery) }, true),
  },
  '/api/admin/faults/{service}': {
    get: op('admin', "The service's fault rules (only with FAULTS_ENABLED, else 404)", { ...ok('Rules', describedObject('{rules, operations}')), ...errors(404) }, { parameters: [serviceParam] }, true),
    post: op('admin', 'Add a fault rule', { ...ok('The rule', describedObject('The added rule with its id'), '201'), ...errors(400, 404, 413, 415) }, { parameters: [serviceParam], requestBody: jsonBody(faultRuleInput) }, true),
    delete: op('admin', 'Clear every fault rule', { '204': { description: 'Cleared' }, ...errors(404) }, { parameters: [serviceParam] }, true),
  },
  '/api/admin/faults/{service}/{id}': {
    delete: op('admin', 'Remove one fault rule', { '204': { description: 'Removed' }, ...errors(404) }, { parameters: [serviceParam, pathParameter('id')] }, true),
  },
  '/api/admin/outbox/{service}': {
    get: op('admin', "The service's unpublished outbox rows", { ...ok('Rows', describedObject('{counts, items: [{id, messageId, type, orderId, transport, destination, attempts, lastError, parkedAt}]}')), ...errors(400) }, {
      parameters: [serviceParam, ...queryParameters(outboxListQuery)],
    }, true),
  },
  '/api/admin/outbox/{service}/{id}/redrive': {
    post: op('admin', 'Re-drive a parked outbox row', { '202': { description: 'Re-driven' }, ...errors(404) }, { parameters: [serviceParam, pathParameter('id', z.string().regex(/^[1-9][0-9]{0,17}$/))] }, true),
  },
  '/api/admin/dead-letters': {
    get: op('admin', "Every service's dead letters, merged oldest first (503 only if no service answers)", ok('Dead letters', describedObject('{counts, items, services: {name: ok|partial|unavailable}}')), {
      parameters: queryParameters(deadLetterGatewayQuery([...services])),
    }, true),
  },
  '/api/admin/dead-letters/{id}/redrive': {
    post: op('admin', 'Re-drive one dead letter to the service its id names', { ...ok('Already re-driven, nothing sent', describedObject('{id, outcome}')), ...ok('Re-driven', describedObject('{id, outcome: redriven}'), '202'), ...errors(400, 404, 409) }, {
      parameters: [pathParameter('id', z.string().min(1), '`<service>:<rabbitmq|kafka>:<letter id>`')],
    }, true),
  },
};

export function buildOpenApi(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'saga-platform API',
      version: '0.1.0',
      description: 'The public API through the gateway. Generated from the routes\' zod schemas (gateway/src/openapi); every /api route needs a bearer token, /api/admin/** role admin.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: 'http://localhost:8080', description: 'npm start / docker compose' }],
    security: [{ bearerAuth: [] }],
    tags: ['auth', 'orders', 'inventory', 'payments', 'notifications', 'admin'].map((name) => ({ name })),
    paths,
    components,
  };
}
