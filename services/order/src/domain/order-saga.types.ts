// Types of the orchestrated order saga: its state, the inputs that advance it and the commands it emits.
import type { OrderLine } from '@saga/contracts';

/** Forward steps (T) and compensations (C), in the words a reader of the order's history sees. */
export type SagaStep =
  | 'CREATE_ORDER' // T1 (local)
  | 'RESERVE_STOCK' // T2
  | 'CHARGE_PAYMENT' // T3, the pivot
  | 'NOTIFY_CONFIRMED' // T4, retried until done, never compensated
  | 'REFUND_PAYMENT' // C3
  | 'RELEASE_STOCK' // C2
  | 'CANCEL_ORDER' // C1 (local)
  | 'NOTIFY_CANCELLED' // C4
  | 'RECONCILE_PAYMENT'; // not a step: payment's reconciliation note (what it found at the provider), history only

export type StepStatus = 'STARTED' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'RETRIED' | 'LATE_REPLY';

export interface HistoryEntry {
  step: SagaStep;
  status: StepStatus;
  at: string;
  detail?: string;
}

export type SagaStatus =
  | 'RUNNING' // forward steps in progress
  | 'COMPENSATING' // undoing what was done, in reverse order
  | 'APPROVED' // every forward step done (the confirmation was sent)
  | 'CANCELLED' // every compensation done (the cancellation notice was sent)
  | 'COMPENSATION_FAILED'; // a compensation kept failing: parked for an operator

export type OrderStatus = 'PENDING' | 'APPROVED' | 'CANCELLED';

/** Why an order was cancelled; DEADLINE_EXCEEDED only in choreography (its deadline passed before the participants settled it). */
export type FailureReason = 'OUT_OF_STOCK' | 'UNKNOWN_SKU' | 'PAYMENT_DECLINED' | 'PAYMENT_PROVIDER_UNAVAILABLE' | 'PAYMENT_TIMEOUT' | 'INVENTORY_TIMEOUT' | 'DEADLINE_EXCEEDED';

export interface SagaState {
  sagaId: string;
  orderId: string;
  customerId: string;
  lines: OrderLine[];
  totalCents: number;
  paymentToken: string;
  status: SagaStatus;
  orderStatus: OrderStatus;
  /** The step whose reply the saga waits for; null once the saga has ended. */
  awaiting: { step: SagaStep; deadline: string; attempt: number } | null;
  /** Compensations still to run after the awaited one, in order. */
  pendingCompensations: SagaStep[];
  failureReason?: FailureReason;
  history: HistoryEntry[];
}

/** What can happen to a saga: it starts, a participant replies, a step's deadline passes, an operator retries, payment reconciles. */
export type SagaInput =
  | { type: 'START' }
  | { type: 'STOCK_RESERVED' }
  | { type: 'STOCK_RESERVATION_FAILED'; reason: 'OUT_OF_STOCK' | 'UNKNOWN_SKU'; skus: string[] }
  | { type: 'PAYMENT_COMPLETED'; paymentId: string }
  | { type: 'PAYMENT_FAILED'; reason: 'DECLINED' | 'PROVIDER_UNAVAILABLE' | 'TIMEOUT'; message: string }
  | { type: 'PAYMENT_REFUNDED'; amountCents: number }
  | { type: 'STOCK_RELEASED' }
  | { type: 'NOTIFICATION_SENT'; kind: 'ORDER_CONFIRMED' | 'ORDER_CANCELLED' }
  | { type: 'DEADLINE_PASSED' }
  | { type: 'RETRY_COMPENSATION' }
  | { type: 'PAYMENT_RECONCILED'; action: 'REFUNDED_CAPTURE' | 'MISSING_CAPTURE'; amountCents: number; detail: string };

/** A command for a participant; the adapter turns it into a contract message on the right routing key. */
export type SagaCommand =
  | { type: 'ReserveStock'; lines: OrderLine[] }
  | { type: 'ReleaseStock' }
  | { type: 'ChargePayment'; amountCents: number; customerId: string; paymentToken: string }
  | { type: 'RefundPayment' }
  | { type: 'SendNotification'; kind: 'ORDER_CONFIRMED' | 'ORDER_CANCELLED'; customerId: string; reason?: string };

export interface SagaTimeouts {
  /** How long a step may go unanswered before the saga acts (compensates a forward step, resends a compensation). */
  stepTimeoutMs: number;
  /** Sends of one compensation before the saga parks in COMPENSATION_FAILED. */
  maxCompensationAttempts: number;
}

export interface Advanced {
  state: SagaState;
  commands: SagaCommand[];
}
