// Advances one saga inside the caller's transaction: lock, run the pure function, save state and order, enqueue its commands.
import type { SqlExecutor } from '@saga/db';
import { enqueueOutbox } from '@saga/messaging';
import { advance } from '../domain/order-saga';
import type { SagaInput, SagaState, SagaTimeouts } from '../domain/order-saga.types';
import { lockSaga, saveSaga, updateOrderOutcome } from '../store/order-repository';
import { toOutboxMessage } from './saga-commands';

export interface SagaRuntime {
  timeouts: SagaTimeouts;
  now: () => Date;
}

/** advanced: the saga before and after, and when (for the caller's metrics, recorded once the transaction committed). */
export type ApplyOutcome = { kind: 'unknown-saga' } | { kind: 'unchanged' } | { kind: 'advanced'; before: SagaState; state: SagaState; at: Date };

export async function applySagaInput(tx: SqlExecutor, sagaId: string, input: SagaInput, runtime: SagaRuntime, causationId?: string): Promise<ApplyOutcome> {
  const state = await lockSaga(tx, sagaId);
  if (!state) return { kind: 'unknown-saga' };
  const now = runtime.now();
  const result = advance(state, input, now, runtime.timeouts);
  if (result.state === state && result.commands.length === 0) return { kind: 'unchanged' };
  await persistAdvance(tx, state, result.state, now);
  await enqueueOutbox(tx, result.commands.map((command) => toOutboxMessage(command, result.state, causationId, runtime.now)));
  return { kind: 'advanced', before: state, state: result.state, at: now };
}

/** Saves the saga and, when the order's outcome changed (C1 or the pivot), the order row: one transaction, one truth. */
async function persistAdvance(tx: SqlExecutor, before: SagaState, after: SagaState, now: Date): Promise<void> {
  await saveSaga(tx, after, now, false);
  if (before.orderStatus !== after.orderStatus || before.failureReason !== after.failureReason) {
    await updateOrderOutcome(tx, after.orderId, after.orderStatus, after.failureReason ?? null, now);
  }
}
