// HTTP adapter: POST /orders, GET /orders/:id, GET /orders and the operator's saga list and retry; parse, call a use case, map the result.
import { orderLineSchema, sagaModes, type SagaMode } from '@saga/contracts';
import type { SqlClient } from '@saga/db';
import type { SagaMetrics } from '@saga/metrics';
import { callerOf, type RouteGuards } from '@saga/auth';
import { BadRequestError, ConflictError, NotFoundError, ServiceUnavailableError, UnprocessableEntityError, fromZodError, requestContext } from '@saga/platform';
import type { Express, Request } from 'express';
import { z } from 'zod';
import type { SagaRuntime } from '../app/apply-saga-input';
import { placeOrder } from '../app/place-order';
import { retryCompensation } from '../app/retry-compensation';
import type { PriceCatalog } from '../app/price-catalog.port';
import { listSagas } from '../app/list-sagas';
import { InvalidCursorError, ORDER_CURSOR_PATTERN, getOrder, getTimeline, listCustomerOrders } from '../app/read-orders';
import type { TimelineProjector } from '../app/timeline-projector';
import type { SagaStatus } from '../domain/order-saga.types';

export const MAX_ORDER_LINES = 20;

// Strict, the lines too: an unknown field is a 400 naming it, not silently dropped (a "sagamode" typo would otherwise
// quietly run the default saga). The message contract's orderLineSchema stays tolerant for consumers.
export const placeOrderBody = z.strictObject({
  // The examples are SKUs of the demo catalog: a reader (or the fuzzer) trying the API gets orders that run a saga.
  items: z.array(z.strictObject({ ...orderLineSchema.shape, sku: orderLineSchema.shape.sku.meta({ examples: ['SKU-APPLE', 'SKU-BREAD'] }) })).min(1, 'an order needs at least one item').max(MAX_ORDER_LINES, `at most ${MAX_ORDER_LINES} items per order`),
  sagaMode: z.enum(sagaModes).optional(),
  // The payment provider's card token (see services/payment-provider/README.md for the test tokens).
  paymentToken: z.string().min(1).max(100).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces').optional(),
});

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().regex(ORDER_CURSOR_PATTERN, 'expected the nextCursor of a previous page (<epoch ms>.<orderId>)').optional(),
});
const sagaStatuses = ['RUNNING', 'COMPENSATING', 'APPROVED', 'CANCELLED', 'COMPENSATION_FAILED'] as const satisfies readonly SagaStatus[];
export const sagaListQuery = z.object({ sagaStatus: z.enum(sagaStatuses), limit: z.coerce.number().int().min(1).max(100).default(50) });
// Printable ASCII (as the IETF draft's sf-string), no space at either end (HTTP would strip it): a header carrying
// control or Latin-1 bytes is a 400, never a key (the fuzzer found DEL accepted).
export const idempotencyKey = z.string().min(1).max(200).regex(/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/, 'printable ASCII');
const uuid = z.uuid();

/** The 202 of POST /orders (checked against real responses in order-flow.component.test.ts). */
export const placedOrderSchema = z.object({ orderId: z.uuid(), status: z.literal('PENDING'), sagaMode: z.enum(sagaModes), totalCents: z.number().int() });

export interface OrderRoutesDeps {
  db: SqlClient;
  prices: PriceCatalog;
  runtime: SagaRuntime;
  defaultSagaMode: SagaMode;
  supportedSagaModes: readonly SagaMode[];
  /** Present when Kafka is wired: the timeline read model that POST /admin/replay rebuilds. */
  timeline?: TimelineProjector;
  /** The caller comes from a verified token, never from a header: reached directly, this service trusts no one. */
  guards: RouteGuards;
  /** Sagas started (POST /orders) and what an operator's retry changes; absent: nothing recorded. */
  sagaMetrics?: SagaMetrics;
}

export function orderRoutes(deps: OrderRoutesDeps): (app: Express) => void {
  return (app) => {
    app.post('/orders', deps.guards.signedIn, async (req, res) => {
      const customerId = callerOf(res).sub;
      const body = placeOrderBody.safeParse(req.body);
      if (!body.success) throw fromZodError(body.error);
      const key = req.header('idempotency-key');
      if (key !== undefined && !idempotencyKey.safeParse(key).success) throw new BadRequestError('Idempotency-Key must be 1-200 printable ASCII characters', { code: 'INVALID_IDEMPOTENCY_KEY' });
      const sagaMode = body.data.sagaMode ?? deps.defaultSagaMode;
      if (!deps.supportedSagaModes.includes(sagaMode)) {
        throw new UnprocessableEntityError(`saga mode ${sagaMode} is not available in this deployment`, { code: 'SAGA_MODE_UNAVAILABLE' });
      }
      const outcome = await placeOrder(deps, {
        customerId,
        lines: body.data.items,
        sagaMode,
        paymentToken: body.data.paymentToken ?? 'tok_visa',
        ...(key === undefined ? {} : { idempotencyKey: key }),
        requestId: requestContext(res).requestId,
      });
      if (outcome.ok) {
        if (!outcome.replayed) requestContext(res).log.info({ orderId: outcome.order.orderId, customerId, sagaMode, totalCents: outcome.order.totalCents }, 'order placed; saga started');
        if (outcome.replayed) res.setHeader('Idempotent-Replayed', 'true');
        res.status(202).location(`/orders/${outcome.order.orderId}`).json(outcome.order);
        return;
      }
      switch (outcome.reason) {
        case 'IDEMPOTENCY_KEY_REUSED':
          throw new ConflictError('This Idempotency-Key was used with a different request', { code: 'IDEMPOTENCY_KEY_REUSED' });
        case 'UNKNOWN_SKU':
          throw new UnprocessableEntityError(`Unknown sku: ${outcome.skus.join(', ')}`, { code: 'UNKNOWN_SKU', details: { skus: outcome.skus } });
        case 'PRICES_UNAVAILABLE':
          throw new ServiceUnavailableError('Prices are unavailable right now; try again shortly', { code: 'PRICES_UNAVAILABLE' });
      }
    });

    app.get('/orders/:orderId', deps.guards.signedIn, async (req: Request<{ orderId: string }>, res) => {
      const customerId = callerOf(res).sub;
      const order = uuid.safeParse(req.params.orderId).success ? await getOrder(deps.db, customerId, req.params.orderId) : undefined;
      if (!order) throw new NotFoundError(`No order ${req.params.orderId}`, { code: 'ORDER_NOT_FOUND' });
      res.json(order);
    });

    app.get('/orders/:orderId/timeline', deps.guards.signedIn, async (req: Request<{ orderId: string }>, res) => {
      const customerId = callerOf(res).sub;
      const timeline = uuid.safeParse(req.params.orderId).success ? await getTimeline(deps.db, customerId, req.params.orderId) : undefined;
      if (!timeline) throw new NotFoundError(`No order ${req.params.orderId}`, { code: 'ORDER_NOT_FOUND' });
      res.json({ orderId: req.params.orderId, events: timeline });
    });

    // Operator endpoint (role admin, checked here and at the gateway): rebuild the timeline read model from the Kafka topics, offset 0.
    app.post('/admin/replay', ...deps.guards.admin, async (_req, res) => {
      if (!deps.timeline) throw new ServiceUnavailableError('This deployment has no event log to replay', { code: 'REPLAY_UNAVAILABLE' });
      res.status(202).json(await deps.timeline.rebuild());
    });

    app.get('/orders', deps.guards.signedIn, async (req, res) => {
      const customerId = callerOf(res).sub;
      const query = listQuery.safeParse(req.query);
      if (!query.success) throw fromZodError(query.error);
      try {
        res.json(await listCustomerOrders(deps.db, customerId, query.data.limit, query.data.cursor));
      } catch (error) {
        if (error instanceof InvalidCursorError) throw new BadRequestError('Invalid cursor', { code: 'INVALID_CURSOR' });
        throw error;
      }
    });

    // Operator endpoint (role admin): orchestrated orders by saga status, e.g. the parked ones an operator should look at.
    app.get('/admin/orders', ...deps.guards.admin, async (req, res) => {
      const query = sagaListQuery.safeParse(req.query);
      if (!query.success) throw fromZodError(query.error);
      res.json(await listSagas(deps.db, query.data.sagaStatus, query.data.limit));
    });

    // Operator endpoint (role admin): resend a parked compensation.
    app.post('/admin/orders/:orderId/retry-compensation', ...deps.guards.admin, async (req: Request<{ orderId: string }>, res) => {
      const outcome = uuid.safeParse(req.params.orderId).success ? await retryCompensation(deps.db, deps.runtime, req.params.orderId, deps.sagaMetrics) : { kind: 'unknown-order' as const };
      if (outcome.kind === 'unknown-order') throw new NotFoundError(`No order ${req.params.orderId}`, { code: 'ORDER_NOT_FOUND' });
      if (outcome.kind === 'not-parked') throw new ConflictError(`The saga is ${outcome.sagaStatus}, not parked`, { code: 'SAGA_NOT_PARKED' });
      res.status(202).json({ orderId: outcome.orderId, sagaStatus: outcome.sagaStatus });
    });
  };
}
