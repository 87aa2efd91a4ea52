// The API's shapes as the console reads them (the gateway's OpenAPI document, docs/openapi.json, is the full contract).
export type OrderStatus = 'PENDING' | 'APPROVED' | 'CANCELLED';
export type SagaMode = 'orchestration' | 'choreography';

export interface Product {
  sku: string;
  name: string;
  priceCents: number;
  available: number;
}

export interface OrderLine {
  sku: string;
  quantity: number;
  priceCents?: number;
}

export interface OrderSummary {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  sagaMode: SagaMode;
  items: OrderLine[];
  totalCents: number;
  failureReason?: string;
  createdAt: string;
  updatedAt: string;
  /** On a pushed change: when the service saw it (a saga step changes no order column, so updatedAt may stay). */
  changedAt?: string;
}

export interface HistoryEntry {
  step: string;
  status: string;
  at: string;
  detail?: string;
  event?: string;
}

export interface OrderView extends OrderSummary {
  history: HistoryEntry[];
}

export interface TimelineEvent {
  messageId: string;
  type: string;
  topic: string;
  partition: number;
  offset: string;
  occurredAt: string;
}

export interface FaultOperation {
  name: string;
  kind: string;
  description: string;
}

export interface FaultRule {
  id: string;
  operation: string;
  effect: string;
  probability: number;
  times?: number;
  delayMs?: number;
  triggered: number;
}

export interface FaultList {
  service: string;
  operations: FaultOperation[];
  items: FaultRule[];
}

export interface TraceSpan {
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  kind: string;
  startTimeMs: number;
  durationMs: number;
  status?: string;
}

export interface Trace {
  orderId: string;
  spans: TraceSpan[];
}

/** GET /api/admin/provider/charges: the payment provider's own books for one order. */
export interface LedgerCharge {
  chargeId: string;
  orderId: string | null;
  amountCents: number;
  refundedCents: number;
  status: 'CAPTURED' | 'REFUNDED' | 'PARTIALLY_REFUNDED' | 'DECLINED';
}

/** A read the gateway made for the system view: its value, or why it could not be made. */
export type Read<T> = ({ status: 'ok' } & T) | { status: 'unavailable'; reason: string };

export interface BreakerView {
  name: string;
  state: 'closed' | 'half-open' | 'open';
  fires: number;
  failures: number;
  rejects: number;
}

export interface InstanceView {
  url: string;
  state: 'up' | 'down';
  reason?: string;
  breakers: Read<{ items: BreakerView[] }>;
}

export type DeadLetterCounts = { 'dead-lettered': number; redriven: number };

export interface ServiceView {
  name: string;
  state: 'up' | 'degraded' | 'down';
  instancesFrom: 'registry' | 'static';
  reason?: string;
  instances: InstanceView[];
  gatewayBreaker: BreakerView;
  outbox: Read<{ pending: number; parked: number }>;
  deadLetters: Read<DeadLetterCounts> | ({ status: 'partial'; reason: string } & DeadLetterCounts);
}

/** GET /api/admin/system. */
export interface SystemView {
  checkedAt: string;
  services: ServiceView[];
}

/** One letter of GET /api/admin/dead-letters. */
export interface DeadLetter {
  id: string;
  service: string;
  broker: string;
  source: string;
  type?: string;
  orderId?: string;
  reason: string;
  deadLetteredAt: string;
  state: 'dead-lettered' | 'redriven';
}

/** A Toxiproxy toxic on a broker link (latency: attributes {latency, jitter} in ms). */
export interface LinkToxic {
  name: string;
  type: string;
  stream: 'upstream' | 'downstream';
  toxicity: number;
  attributes: Record<string, number>;
}

/** One item of GET /api/admin/links: a service's broker link through its Toxiproxy proxy. */
export interface BrokerLink {
  name: string;
  service: string;
  broker: string;
  proxy: string;
  listen: string;
  upstream: string;
  /** false: cut. */
  enabled: boolean;
  toxics: LinkToxic[];
}
