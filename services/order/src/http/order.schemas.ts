// Response schemas of the order service's routes (order.routes.ts): the OpenAPI document's source, checked against real responses in the component tests.
import { orderLineSchema, sagaModes } from '@saga/contracts';
import { z } from 'zod';
import type { FailureReason, OrderStatus, SagaStatus, SagaStep, StepStatus } from '../domain/order-saga.types';
import { listQuery } from './order.routes';

const orderStatuses = ['PENDING', 'APPROVED', 'CANCELLED'] as const satisfies readonly OrderStatus[];
const sagaStatuses = ['RUNNING', 'COMPENSATING', 'APPROVED', 'CANCELLED', 'COMPENSATION_FAILED'] as const satisfies readonly SagaStatus[];
const failureReasons = [
  'OUT_OF_STOCK',
  'UNKNOWN_SKU',
  'PAYMENT_DECLINED',
  'PAYMENT_PROVIDER_UNAVAILABLE',
  'PAYMENT_TIMEOUT',
  'INVENTORY_TIMEOUT',
  'DEADLINE_EXCEEDED',
] as const satisfies readonly FailureReason[];
const sagaSteps = [
  'CREATE_ORDER',
  'RESERVE_STOCK',
  'CHARGE_PAYMENT',
  'NOTIFY_CONFIRMED',
  'REFUND_PAYMENT',
  'RELEASE_STOCK',
  'CANCEL_ORDER',
  'NOTIFY_CANCELLED',
  'RECONCILE_PAYMENT',
] as const satisfies readonly SagaStep[];
const stepStatuses = ['STARTED', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'RETRIED', 'LATE_REPLY'] as const satisfies readonly StepStatus[];
/** Every timestamp here comes from Date.toISOString() (UTC, with a Z). */
const timestamp = z.iso.datetime({ offset: true });

/** A step of an orchestrated saga, from the saga row. */
const orchestratedHistoryEntry = z.object({ step: z.enum(sagaSteps), status: z.enum(stepStatuses), at: timestamp, detail: z.string().optional() });
/** A step of a choreographed order, read from its Kafka timeline: it names the event it comes from. */
const choreographyHistoryEntry = z.object({
  step: z.enum([...sagaSteps, 'APPROVE_ORDER']),
  status: z.enum(stepStatuses),
  at: timestamp,
  detail: z.string().optional(),
  event: z.string(),
});

/** An order without its history: one item of GET /orders. */
export const orderSummarySchema = z.object({
  orderId: z.uuid(),
  customerId: z.string(),
  status: z.enum(orderStatuses),
  sagaMode: z.enum(sagaModes),
  items: z.array(orderLineSchema.extend({ unitPriceCents: z.number().int() })),
  totalCents: z.number().int(),
  failureReason: z.enum(failureReasons).optional(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/** GET /orders/{orderId}. The choreography entry comes first: parsed first, an orchestrated entry would drop its `event`. */
export const orderViewSchema = orderSummarySchema.extend({ history: z.array(z.union([choreographyHistoryEntry, orchestratedHistoryEntry])) });

/** GET /orders/stream, `event: order`: the changed order as GET /orders lists it, and when the service saw the change. */
export const orderChangeEventSchema = orderSummarySchema.extend({ changedAt: timestamp });

/** GET /orders/stream, `event: ready`: the subscription is live (reload what may have changed before it). */
export const streamReadyEventSchema = z.object({
  customerId: z.string(),
  scope: z.enum(['own', 'all']),
  heartbeatMs: z.number().int(),
  maxDurationMs: z.number().int(),
});

/** GET /orders: a page, newest first; nextCursor only when there is a next page, in the form ?cursor= accepts. */
export const orderPageSchema = z.object({ items: z.array(orderSummarySchema), nextCursor: listQuery.shape.cursor });

/** GET /orders/{orderId}/timeline: every event about the order, as the read model holds it (private payload keys removed). */
export const orderTimelineSchema = z.object({
  orderId: z.uuid(),
  events: z.array(
    z.object({
      messageId: z.string(),
      orderId: z.string(),
      type: z.string(),
      topic: z.string(),
      partition: z.number().int(),
      offset: z.string().describe('The Kafka offset, a decimal string (an int64)'),
      occurredAt: timestamp,
      payload: z.record(z.string(), z.unknown()).describe("The event's payload, as its contract defines it"),
    }),
  ),
});

/** GET /admin/orders: orchestrated sagas in one status. */
export const sagaListSchema = z.object({
  items: z.array(
    z.object({
      orderId: z.uuid(),
      sagaId: z.uuid(),
      customerId: z.string(),
      orderStatus: z.enum(orderStatuses),
      sagaStatus: z.enum(sagaStatuses),
      awaiting: z.object({ step: z.enum(sagaSteps), attempt: z.number().int(), deadline: timestamp }).nullable(),
      failureReason: z.enum(failureReasons).optional(),
      updatedAt: timestamp,
    }),
  ),
});

/** POST /admin/orders/{orderId}/retry-compensation: 202, the saga's status after the resend. */
export const retriedCompensationSchema = z.object({ orderId: z.uuid(), sagaStatus: z.enum(sagaStatuses) });

/** POST /admin/replay: 202, the timeline's new generation and the Kafka consumer group that rebuilds it. */
export const replayStartedSchema = z.object({ generation: z.number().int(), groupId: z.string() });
