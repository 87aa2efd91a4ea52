// Operator query: orchestrated sagas in one status (e.g. parked in COMPENSATION_FAILED) with where each one stands.
import type { SqlClient } from '@saga/db';
import type { SagaState, SagaStatus } from '../domain/order-saga.types';
import { listSagasByStatus, type SagaSummaryRecord } from '../store/order-repository';

export interface SagaSummary {
  orderId: string;
  sagaId: string;
  customerId: string;
  orderStatus: SagaSummaryRecord['orderStatus'];
  sagaStatus: SagaStatus;
  /** The step it waits for (for a parked saga: the compensation an operator's retry resends); null once ended. */
  awaiting: { step: NonNullable<SagaState['awaiting']>['step']; attempt: number; deadline: string } | null;
  failureReason?: string;
  updatedAt: string;
}

export async function listSagas(db: SqlClient, status: SagaStatus, limit: number): Promise<{ items: SagaSummary[] }> {
  const records = await listSagasByStatus(db, status, limit);
  return {
    items: records.map((record) => ({
      orderId: record.orderId,
      sagaId: record.sagaId,
      customerId: record.customerId,
      orderStatus: record.orderStatus,
      sagaStatus: record.sagaStatus,
      awaiting: record.awaiting && { step: record.awaiting.step, attempt: record.awaiting.attempt, deadline: record.awaiting.deadline },
      ...(record.failureReason ? { failureReason: record.failureReason } : {}),
      updatedAt: record.updatedAt.toISOString(),
    })),
  };
}
