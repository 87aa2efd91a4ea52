// reconcile: compare each settled order's payment with the provider's books and repair what disagrees: refund money
// captured on a cancelled order (or captured twice), flag an approved order without its capture; note it in the order's history.
import { setTimeout as pause } from 'node:timers/promises';
import { PaymentReconciled, routingKeys, topics } from '@saga/contracts';
import { enqueueOutbox, type OutboxMessage } from '@saga/messaging';
import { withCorrelation } from '@saga/platform';
import type { SqlExecutor } from '@saga/db';
import type { MessageEnvelope } from '@saga/contracts';
import { planReconciliation, recordReconciledRefunds } from '../domain/reconciliation';
import type { Payment } from '../domain/payment';
import { findPayment, markReconciled, markReconciledIfUnchanged, paymentsDueForReconciliation, savePayment, withOrderLock } from '../store/payment-repository';
import type { PaymentUseCaseDeps } from './incoming-command';
import { chargeKey, reconcileRefundKey } from './payment-provider.port';

export interface ReconciliationRepair {
  orderId: string;
  action: 'REFUNDED_CAPTURE' | 'MISSING_CAPTURE';
  chargeId?: string;
  amountCents: number;
}

export interface ReconciliationReport {
  /** Payments compared with the provider's books. */
  checked: number;
  repairs: ReconciliationRepair[];
  /** Orders that could not be compared now (provider unreachable, refund refused): tried again on the next pass. */
  errors: { orderId: string; message: string }[];
}

export interface ReconcileOptions {
  /** How long a payment must have been settled before a pass looks at it (the saga's own compensation goes first). */
  graceMs: number;
  /** Payments per pass. */
  batchSize?: number;
}

/** How a pass runs: all at once (an operator's request), or spread out and stoppable (the scheduler's). */
export interface PassOptions {
  /**
   * Spread the pass's provider lookups over this long: one payment every spreadOverMs ÷ (the most a pass looks at), so a
   * backlog of settled payments does not reach the provider and PostgreSQL in one burst beside the sagas.
   */
  spreadOverMs?: number;
  /** Aborted: the pass ends at its next pause (the service is stopping); what it did not reach stays due. */
  signal?: AbortSignal;
}

class ReconcileError extends Error {}

/** Resolves when the next payment may be looked at: true, or false once the pass is told to stop. */
type Pacer = () => Promise<boolean>;

/** Turns `gapMs` apart, counted across the whole pass; stops at the signal. */
function pacer(gapMs: number, signal: AbortSignal | undefined): Pacer {
  let next = performance.now();
  return async () => {
    if (signal?.aborted) return false;
    const wait = next - performance.now();
    if (wait > 0) {
      try {
        await pause(wait, undefined, signal ? { signal } : {});
      } catch {
        return false; // aborted while waiting
      }
    }
    next = Math.max(next, performance.now()) + gapMs;
    return true;
  };
}

const MAX_BATCHES_PER_PASS = 10;

/** A note about the order goes where its saga listens: the orchestrator's reply queue, or the payment events topic. */
function routeFor(payment: Payment, envelope: MessageEnvelope): OutboxMessage {
  return payment.channel === 'command'
    ? { transport: 'command', routingKey: routingKeys.sagaReply, envelope }
    : { transport: 'event', topic: topics.paymentEvents, key: payment.orderId, envelope };
}

export function reconcilePaymentsUseCase(deps: PaymentUseCaseDeps, options: ReconcileOptions) {
  const envelopeDeps = { now: () => deps.clock.now(), newId: deps.newId };

  async function note(tx: SqlExecutor, payment: Payment, repair: ReconciliationRepair, detail: string): Promise<void> {
    const envelope = PaymentReconciled.create(
      { orderId: payment.orderId, sagaId: payment.sagaId, action: repair.action, amountCents: repair.amountCents, ...(repair.chargeId ? { chargeId: repair.chargeId } : {}), detail: detail.slice(0, 500) },
      { correlationId: payment.orderId },
      envelopeDeps,
    );
    await enqueueOutbox(tx, [routeFor(payment, envelope)]);
  }

  /**
   * One order: read the books, repair, record. Throws ReconcileError when the provider cannot be asked or refuses.
   * Books that agree are not recorded here: `agreed` says so, and the pass marks all of those in one statement.
   */
  async function reconcileOne(payment: Payment): Promise<{ repairs: ReconciliationRepair[]; agreed: boolean }> {
    const { orderId } = payment;
    const log = withCorrelation(deps.logger, { orderId, sagaId: payment.sagaId });
    // An uncertain charge (timed out, refused) on a cancelled order: void its key first, so nothing lands after the look.
    if (payment.status === 'FAILED') {
      const settled = await deps.provider.voidCharge(chargeKey(orderId));
      if (!settled.ok) throw new ReconcileError(`cannot void the charge key: ${settled.message}`);
    }
    const books = await deps.provider.listCharges(orderId);
    if (!books.ok) throw new ReconcileError(`cannot read the provider's books: ${books.message}`);
    const plan = planReconciliation(payment, books.charges);
    const refunded: { chargeId: string; amountCents: number }[] = [];
    for (const refund of plan.refunds) {
      const done = await deps.provider.refund({ idempotencyKey: reconcileRefundKey(refund.chargeId), chargeId: refund.chargeId, amountCents: refund.amountCents });
      if (!done.ok) throw new ReconcileError(`refund of stray charge ${refund.chargeId} failed (${done.reason}): ${done.message}`);
      refunded.push(refund);
      log.warn({ chargeId: refund.chargeId, amountCents: refund.amountCents, fate: plan.fate }, 'reconciliation refunded money the order must not keep');
    }
    const repairs: ReconciliationRepair[] = [
      ...refunded.map((refund) => ({ orderId, action: 'REFUNDED_CAPTURE' as const, chargeId: refund.chargeId, amountCents: refund.amountCents })),
      ...(plan.missingCents > 0 ? [{ orderId, action: 'MISSING_CAPTURE' as const, ...(payment.providerChargeId ? { chargeId: payment.providerChargeId } : {}), amountCents: plan.missingCents }] : []),
    ];
    if (plan.missingCents > 0) log.error({ missingCents: plan.missingCents, chargeId: payment.providerChargeId }, 'reconciliation: approved order without its capture at the provider');
    if (repairs.length === 0) return { repairs, agreed: true };

    await withOrderLock(deps.db, orderId, async (tx) => {
      const current = await findPayment(tx, orderId);
      if (!current) return;
      const now = deps.clock.now();
      const unchanged = current.updatedAt.getTime() === payment.updatedAt.getTime();
      // Changed meanwhile (a refund or a charge outcome landed): its new state is due for its own look; money already
      // refunded here is still noted, and the next look finds it refunded.
      if (unchanged && refunded.length > 0) await savePayment(tx, recordReconciledRefunds(current, refunded, now), false);
      else if (unchanged) await markReconciled(tx, orderId, now);
      for (const repair of repairs) {
        const detail =
          repair.action === 'REFUNDED_CAPTURE'
            ? `reconciliation refunded ${repair.amountCents} cents captured by charge ${repair.chargeId} on a ${plan.fate === 'CANCELLED' ? 'cancelled' : 'approved'} order`
            : `reconciliation found ${repair.amountCents} cents missing at the provider for an approved order`;
        await note(tx, current, repair, detail);
      }
    });
    return { repairs, agreed: false };
  }

  async function reconcileAll(payments: readonly Payment[], nextTurn: Pacer = () => Promise.resolve(true)): Promise<ReconciliationReport & { stopped: boolean }> {
    const report: ReconciliationReport = { checked: 0, repairs: [], errors: [] };
    // Most books agree: marked together after the loop, not in a locked transaction (and a durable commit) each.
    const agreed: Payment[] = [];
    let stopped = false;
    for (const payment of payments) {
      if (!(await nextTurn())) {
        stopped = true;
        break;
      }
      try {
        const outcome = await reconcileOne(payment);
        report.repairs.push(...outcome.repairs);
        if (outcome.agreed) agreed.push(payment);
        report.checked += 1;
      } catch (error) {
        if (!(error instanceof ReconcileError)) throw error;
        report.errors.push({ orderId: payment.orderId, message: error.message });
      }
    }
    await markReconciledIfUnchanged(deps.db, agreed, deps.clock.now());
    return { ...report, stopped };
  }

  return {
    /**
     * One pass over the payments settled longer than the grace period and changed since their last look: batch after
     * batch while batches come back full (at most MAX_BATCHES_PER_PASS), so a busy platform does not build a backlog.
     * A batch with errors ends the pass: its payments stay due and would only come back in the next batch.
     */
    async reconcileDue(pass: PassOptions = {}): Promise<ReconciliationReport> {
      const settledBefore = new Date(deps.clock.now().getTime() - options.graceMs);
      const batchSize = options.batchSize ?? 100;
      const nextTurn = pacer(pass.spreadOverMs ? pass.spreadOverMs / (batchSize * MAX_BATCHES_PER_PASS) : 0, pass.signal);
      const total: ReconciliationReport = { checked: 0, repairs: [], errors: [] };
      for (let batch = 0; batch < MAX_BATCHES_PER_PASS; batch += 1) {
        const due = await paymentsDueForReconciliation(deps.db, settledBefore, batchSize);
        const report = await reconcileAll(due, nextTurn);
        total.checked += report.checked;
        total.repairs.push(...report.repairs);
        total.errors.push(...report.errors);
        if (report.stopped || due.length < batchSize || report.errors.length > 0) break;
      }
      return total;
    },
    /** One order now, whatever its last look (an operator's request). Unsettled or unknown orders are not checked. */
    async reconcileOrder(orderId: string): Promise<ReconciliationReport> {
      const payment = await findPayment(deps.db, orderId);
      const { checked, repairs, errors } = await reconcileAll(payment && payment.status !== 'CHARGING' ? [payment] : []);
      return { checked, repairs, errors };
    },
  };
}

export type PaymentReconciler = ReturnType<typeof reconcilePaymentsUseCase>;
