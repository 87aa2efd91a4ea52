// The OpenAPI 3.1 document of the public API, as seen through the gateway, built from the zod schemas the routes
// validate with (exported next to each route). `npm run openapi:render` writes it to docs/openapi.json.
import { faultRuleInputFor, faultRuleListSchema, faultRuleSchema, faultRulesClearedSchema } from '@saga/faults';
import { deadLetterAlreadyRedrivenSchema, deadLetterIdPattern, deadLetterRedrivenSchema, outboxListQuery, outboxListSchema, outboxRedrivenSchema } from '@saga/messaging';
import type { OperationSpec } from '@saga/faults';
import { inventoryFaultOperations, productListSchema, productSchema, restockBody } from '@saga/inventory-service';
import { notificationFaultOperations, notificationListSchema, notificationsQuery } from '@saga/notification-service';
import {
  idempotencyKey,
  listQuery,
  orderChangeEventSchema,
  orderFaultOperations,
  orderPageSchema,
  orderTimelineSchema,
  orderViewSchema,
  placeOrderBody,
  placedOrderSchema,
  replayStartedSchema,
  retriedCompensationSchema,
  sagaListQuery,
  sagaListSchema,
  streamReadyEventSchema,
} from '@saga/order-service';
import { chargesQuery, paymentFaultOperations, paymentListSchema, paymentsQuery, providerChargeListSchema, reconcileBody, reconciliationReportSchema } from '@saga/payment-service';
import { z } from 'zod';
import { brokerLinkListSchema, brokerLinkViewSchema, latencyBody, linkNameSchema } from '../broker-link-view';
import { deadLetterGatewayListSchema, deadLetterGatewayQuery } from '../dead-letters.routes';
import { systemViewSchema } from '../system-view';
import { orderTraceSchema } from '../traces.routes';
import { tokenRequestSchema, tokenResponseSchema } from '../token.schemas';
import { components, schemaOf, errors, jsonBody, jsonResponse, pathParameter, queryParameters, rateLimited, type Json } from './openapi-parts';

const services = ['order', 'inventory', 'payment', 'notification'] as const;
const faultOperations: Record<(typeof services)[number], readonly OperationSpec[]> = {
  order: orderFaultOperations,
  inventory: inventoryFaultOperations,
  payment: paymentFaultOperations,
  notification: notificationFaultOperations,
};
const serviceParam = pathParameter('service', z.enum(services), 'The service whose operator API is addressed');
const orderIdParam = pathParameter('orderId', z.uuid());
const linkParam = pathParameter('name', linkNameSchema(services), "A broker link, `<service>-<broker>`, as GET /api/admin/links lists it");
/** The broker links are off without TOXIPROXY_URL (a change is a 404 LINKS_DISABLED), and a 503 is Toxiproxy not answering (TOXIPROXY_UNAVAILABLE). */
const linksOff = 'only with TOXIPROXY_URL, else 404 LINKS_DISABLED; 503 TOXIPROXY_UNAVAILABLE when Toxiproxy does not answer';
/** Every /api route: the input guard (400), a bearer token, the per-user limit, and the gateway's own failures. */
const apiErrors = errors(400, 401, 429, 503, 504);
const adminErrors = errors(400, 401, 403, 429, 503, 504);
/** A path parameter can name nothing (an unknown id, a service that does not exist): 404. */
const hasPathParameter = (extra: Json) => Array.isArray(extra.parameters) && extra.parameters.some((p: { in?: string }) => p.in === 'path');

function op(tag: string, summary: string, responses: Json, extra: Json = {}, admin = false): Json {
  return { tags: [tag], summary, ...extra, responses: { ...responses, ...(admin ? adminErrors : apiErrors), ...(hasPathParameter(extra) && errors(404)) } };
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
    get: op('orders', "The caller's orders, newest first; cursor pagination", { ...ok('A page; pass nextCursor as cursor for the next page (absent on the last page)', orderPageSchema), ...errors(400) }, {
      parameters: queryParameters(listQuery),
    }),
  },
  '/api/orders/stream': {
    get: op('orders', "Live changes of the caller's orders (an admin's: every order's), as Server-Sent Events", {
      '200': {
        description: [
          'An event stream (`text/event-stream`), pushed by the order service as it commits (PostgreSQL LISTEN/NOTIFY), never polled:',
          '`retry: 3000` first, then `event: ready` (data `{customerId, scope: own|all, heartbeatMs, maxDurationMs}`: the subscription is live,',
          'reload what may have changed before it), then one `event: order` per change (data: the order as `GET /api/orders` lists it, plus',
          '`changedAt`; a saga step is a change too), and a `: heartbeat` comment every 15 s. The stream ends after `maxDurationMs`',
          '(10 minutes by default; ORDER_STREAM_MAX_MS) and at shutdown: reconnect, with the token again. Read it with fetch and a bearer',
          'token (EventSource cannot send one), as the console at / does.',
        ].join(' '),
        headers: rateLimited,
        // One schema per event (OpenAPI 3.1 has no itemSchema; Schemathesis reads `schema` as the per-event one): the
        // data is one line of JSON, its shape per event name in contentSchema.
        content: {
          'text/event-stream': {
            schema: {
              type: 'object',
              required: ['event', 'data'],
              properties: {
                event: { type: 'string', enum: ['ready', 'order'] },
                data: {
                  type: 'string',
                  contentMediaType: 'application/json',
                  contentSchema: { oneOf: [schemaOf(streamReadyEventSchema, 'output'), schemaOf(orderChangeEventSchema, 'output')] },
                  description: '`ready`: {customerId, scope, heartbeatMs, maxDurationMs}; `order`: the order as GET /api/orders lists it, plus changedAt',
                },
                id: { type: 'string', description: '`<orderId>@<changedAt>` on an order event' },
                retry: { type: 'integer', description: 'Milliseconds to wait before reconnecting' },
              },
            },
          },
        },
      },
    }),
  },
  '/api/orders/{orderId}': {
    get: op('orders', 'One order with its saga history', { ...ok('The order', orderViewSchema), ...errors(404) }, { parameters: [orderIdParam] }),
  },
  '/api/orders/{orderId}/timeline': {
    get: op('orders', "Every event about the order from every service's Kafka topic", { ...ok('The timeline', orderTimelineSchema), ...errors(404) }, { parameters: [orderIdParam] }),
  },
  '/api/inventory/products': { get: op('inventory', 'The catalog', ok('Every product', productListSchema)) },
  '/api/inventory/products/{sku}': {
    get: op('inventory', 'One product', { ...ok('The product', productSchema), ...errors(404) }, { parameters: [pathParameter('sku', restockBody.shape.sku)] }),
  },
  '/api/payments': {
    get: op('payments', "An order's payment (the caller's own; an admin sees all)", { ...ok('Payments', paymentListSchema), ...errors(400) }, { parameters: queryParameters(paymentsQuery) }),
  },
  '/api/notifications': {
    get: op('notifications', 'Notices sent for an order (the caller\'s own; an admin sees all)', { ...ok('Notifications', notificationListSchema), ...errors(400) }, {
      parameters: queryParameters(notificationsQuery),
    }),
  },
  '/api/admin/orders': {
    get: op('admin', 'Sagas in a status, newest first (e.g. COMPENSATION_FAILED)', { ...ok('Sagas', sagaListSchema), ...errors(400) }, { parameters: queryParameters(sagaListQuery) }, true),
  },
  '/api/admin/orders/{orderId}/retry-compensation': {
    post: op('admin', 'Resend a compensation parked in COMPENSATION_FAILED', { ...ok('Resent', retriedCompensationSchema, '202'), ...errors(404, 409) }, { parameters: [orderIdParam] }, true),
  },
  '/api/admin/replay': {
    post: op('admin', 'Rebuild the timeline read model from offset 0', ok('Started', replayStartedSchema, '202'), {}, true),
  },
  '/api/admin/restock': {
    post: op('admin', 'Add stock to a product', { ...ok('The product after restocking', productSchema), ...errors(400, 404, 413, 415, 422) }, { requestBody: jsonBody(restockBody) }, true),
  },
  '/api/admin/reconcile': {
    post: op('admin', 'Reconcile payments with the provider now (one order, or every settled payment due)', { ...ok('The report', reconciliationReportSchema), ...errors(400, 413, 415) }, { requestBody: jsonBody(reconcileBody, false) }, true),
  },
  '/api/admin/provider/charges': {
    get: op('admin', "The payment provider's own books for an order", { ...ok('Charges', providerChargeListSchema), ...errors(400) }, { parameters: queryParameters(chargesQuery) }, true),
  },
  // One path per service: each takes its own operations, and each effect only the operations it applies to.
  ...Object.fromEntries(
    services.map((service) => [
      `/api/admin/faults/${service}`,
      {
        get: op('admin', `The ${service} service's fault rules and operations (only with FAULTS_ENABLED, else 404)`, { ...ok('Rules', faultRuleListSchema), ...errors(404) }, {}, true),
        post: op('admin', `Add a fault rule to the ${service} service`, { ...ok('The rule', faultRuleSchema, '201'), ...errors(404, 413, 415) }, { requestBody: jsonBody(faultRuleInputFor(faultOperations[service])) }, true),
        delete: op('admin', `Clear every fault rule of the ${service} service`, { ...ok('Cleared: how many rules were removed', faultRulesClearedSchema), ...errors(404) }, {}, true),
      },
    ]),
  ),
  '/api/admin/faults/{service}/{id}': {
    delete: op('admin', 'Remove one fault rule', { '204': { description: 'Removed' } }, { parameters: [serviceParam, pathParameter('id', z.uuid(), 'The id POST answered with')] }, true),
  },
  '/api/admin/outbox/{service}': {
    get: op('admin', "The service's unpublished outbox rows", { ...ok('Rows', outboxListSchema), ...errors(400) }, {
      parameters: [serviceParam, ...queryParameters(outboxListQuery)],
    }, true),
  },
  '/api/admin/outbox/{service}/{id}/redrive': {
    post: op('admin', 'Re-drive a parked outbox row', { ...ok('Re-driven: the row is pending again', outboxRedrivenSchema, '202'), ...errors(404) }, { parameters: [serviceParam, pathParameter('id', z.string().regex(/^[1-9][0-9]{0,17}$/))] }, true),
  },
  '/api/admin/dead-letters': {
    get: op('admin', "Every service's dead letters, merged oldest first (503 only if no service answers)", ok('Dead letters', deadLetterGatewayListSchema([...services])), {
      parameters: queryParameters(deadLetterGatewayQuery([...services])),
    }, true),
  },
  '/api/admin/system': {
    get: op('admin', [
      "The system at a glance, read now: each service's instances (registry or static URL) with their readiness and own",
      "breakers, the gateway's breaker towards it, its outbox backlog and dead-letter counts. Always 200 for an admin:",
      'an instance or a read that does not answer is shown as down or unavailable, with the reason',
    ].join(' '), ok('The system view', systemViewSchema([...services])), {}, true),
  },
  '/api/admin/traces/{orderId}': {
    get: op('admin', "The order's trace: every span each process kept of it (gateway, services, brokers' hops, the provider call), oldest first", { ...ok('The trace', orderTraceSchema([...services])), ...errors(400, 404) }, {
      parameters: [orderIdParam],
    }, true),
  },
  '/api/admin/links': {
    get: op('admin', "Each service's broker link through Toxiproxy: its proxy, listening or cut, and its toxics; `enabled: false` and no links without TOXIPROXY_URL; 503 TOXIPROXY_UNAVAILABLE when Toxiproxy does not answer", ok('The links', brokerLinkListSchema), {}, true),
  },
  '/api/admin/links/{name}/latency': {
    post: op('admin', `Slow a broker link down: latency (± jitter) on everything the broker sends the service; asked again, the latency is changed (${linksOff})`, {
      ...ok('The link, slowed', brokerLinkViewSchema),
      ...errors(404, 413, 415),
    }, { parameters: [linkParam], requestBody: jsonBody(latencyBody) }, true),
  },
  '/api/admin/links/{name}/cut': {
    post: op('admin', `Cut a broker link: its proxy stops listening and closes its connections, the service sees the broker gone (${linksOff})`, ok('The link, cut', brokerLinkViewSchema), { parameters: [linkParam] }, true),
  },
  '/api/admin/links/{name}/toxics': {
    delete: op('admin', `Restore a broker link: every toxic removed and its proxy listening again on the same address (${linksOff})`, ok('The link, restored', brokerLinkViewSchema), { parameters: [linkParam] }, true),
  },
  '/api/admin/dead-letters/{id}/redrive': {
    post: op('admin', 'Re-drive one dead letter to the service its id names', { ...ok('Already re-driven, nothing sent', deadLetterAlreadyRedrivenSchema), ...ok('Re-driven', deadLetterRedrivenSchema, '202'), ...errors(400, 404, 409) }, {
      parameters: [pathParameter('id', z.string().regex(deadLetterIdPattern(services)), '`<service>:<rabbitmq|kafka>:<letter id>`, as the list gives it')],
    }, true),
  },
};

/**
 * OpenAPI links: what a response gives the next call (a client generator, or the fuzzer's stateful phase, follows them:
 * place an order, then read it, its timeline, its payment and notices; add a fault rule, then remove it).
 */
function linked(): Record<string, Json> {
  const orderId = '$response.body#/orderId';
  const placed = (paths['/api/orders'] as { post: { responses: Record<string, Json> } }).post.responses;
  placed['202'] = {
    ...placed['202'],
    links: {
      GetOrder: { operationId: 'getOrder', parameters: { orderId } },
      GetTimeline: { operationId: 'getOrderTimeline', parameters: { orderId } },
      GetPayments: { operationId: 'listPayments', parameters: { orderId } },
      GetNotifications: { operationId: 'listNotifications', parameters: { orderId } },
    },
  };
  (paths['/api/orders/{orderId}'] as { get: Json }).get.operationId = 'getOrder';
  (paths['/api/orders/{orderId}/timeline'] as { get: Json }).get.operationId = 'getOrderTimeline';
  (paths['/api/payments'] as { get: Json }).get.operationId = 'listPayments';
  (paths['/api/notifications'] as { get: Json }).get.operationId = 'listNotifications';
  (paths['/api/admin/faults/{service}/{id}'] as { delete: Json }).delete.operationId = 'removeFaultRule';
  for (const service of services) {
    const added = (paths[`/api/admin/faults/${service}`] as { post: { responses: Record<string, Json> } }).post.responses;
    added['201'] = { ...added['201'], links: { RemoveRule: { operationId: 'removeFaultRule', parameters: { service, id: '$response.body#/id' } } } };
  }
  return paths;
}

let built: Json | undefined;

/**
 * The document, built once per process (every route's zod schemas converted, the links added): the gateway's method
 * guard reads its paths at start-up and /api/openapi.json serves it, from this one copy. Treat it as read-only.
 */
export function buildOpenApi(): Json {
  return (built ??= {
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
    paths: linked(),
    components,
  });
}
