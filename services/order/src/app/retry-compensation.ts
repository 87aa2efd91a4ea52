// Operator use case: resend the compensation a parked saga (COMPENSATION_FAILED) is stuck on.
import type { SqlClient } from '@saga/db';
import type { SagaMetrics } from '@saga/metrics';
import type { SagaStatus } from '../domain/order-saga.types';
import { findSagaByOrder } from '../store/order-repository';
import { applySagaInput, type SagaRuntime } from './apply-saga-input';
import { orchestrationTransitions, recordSagaTransitions } from './record-saga-metrics';

export type RetryCompensationOutcome =
  | { kind: 'unknown-order' }
  | { kind: 'not-parked'; sagaStatus: SagaStatus }
  | { kind: 'retried'; orderId: string; sagaStatus: SagaStatus };

export async function retryCompensation(db: SqlClient, runtime: SagaRuntime, orderId: string, sagaMetrics?: SagaMetrics): Promise<RetryCompensationOutcome> {
  const saga = await findSagaByOrder(db, orderId);
  if (!saga) return { kind: 'unknown-order' };
  if (saga.status !== 'COMPENSATION_FAILED') return { kind: 'not-parked', sagaStatus: saga.status };
  const outcome = await db.transaction((tx) => applySagaInput(tx, saga.sagaId, { type: 'RETRY_COMPENSATION' }, runtime));
  // After the commit (record-saga-metrics.ts): the resend is a RETRIED attempt, so it counts no new compensation.
  if (outcome.kind === 'advanced') recordSagaTransitions(sagaMetrics, orchestrationTransitions(outcome.before, outcome.state, outcome.at));
  return { kind: 'retried', orderId: saga.orderId, sagaStatus: outcome.kind === 'advanced' ? outcome.state.status : saga.status };
}
