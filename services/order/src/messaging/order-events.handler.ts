// Kafka adapters of the order service: its choreography reactions (inbox + outbox) and the timeline projector.
import { consumerGroups, topics } from '@saga/contracts';
import type { SqlClient } from '@saga/db';
import { enqueueOutbox, handleOnce, type EventSubscription } from '@saga/messaging';
import type { SagaMetrics } from '@saga/metrics';
import { withCorrelation, type Logger } from '@saga/platform';
import { reactToParticipantEvent } from '../app/react-to-participant-event';
import { choreographyTransitions, recordSagaTransitions } from '../app/record-saga-metrics';
import type { Settled } from '../app/settle-choreographed-order';
import { appendTimeline } from '../store/timeline-repository';

export const EVENTS_INBOX_CONSUMER = 'order.events';

export function choreographySubscription(deps: { db: SqlClient; now: () => Date; logger: Logger; sagaMetrics?: SagaMetrics }): EventSubscription {
  return {
    groupId: consumerGroups.order,
    topics: [topics.inventoryEvents, topics.paymentEvents],
    fromBeginning: true,
    handle: async ({ envelope }) => {
      let settled: Settled | undefined;
      let at = deps.now();
      const result = await handleOnce(deps.db, EVENTS_INBOX_CONSUMER, envelope, async (tx) => {
        at = deps.now();
        settled = await reactToParticipantEvent(tx, envelope, at);
        await enqueueOutbox(tx, settled.messages);
      });
      // Committed ('processed'; a redelivery is a 'duplicate' and the effect of a rolled-back attempt never happened),
      // so the settlement is counted once (record-saga-metrics.ts).
      if (result === 'processed' && settled?.outcome && settled.placedAt) {
        recordSagaTransitions(deps.sagaMetrics, choreographyTransitions(settled.outcome, settled.placedAt, at));
      }
      const log = withCorrelation(deps.logger, { orderId: envelope.correlationId });
      if (settled?.outcome) log.info({ event: envelope.type, outcome: settled.outcome }, 'choreography: order settled');
      // Worth a warning: money moved after the order was cancelled (its deadline, most likely). Payment refunds it on
      // the OrderCancelled it has been sent; the order stays CANCELLED.
      if (settled?.late) log.warn({ event: envelope.type, late: settled.late }, 'choreography: success after the order was cancelled; its participant compensates it');
    },
  };
}

/** Every event about an order, from every producer, into the timeline; a new group per rebuild makes it rebuildable. */
export function timelineSubscription(deps: { db: SqlClient; groupId: string }): EventSubscription {
  return {
    groupId: deps.groupId,
    topics: Object.values(topics),
    fromBeginning: true,
    handle: async ({ envelope, topic, partition, offset }) => {
      await appendTimeline(deps.db, {
        messageId: envelope.messageId,
        orderId: envelope.correlationId,
        type: envelope.type,
        topic,
        partition,
        offset,
        occurredAt: envelope.occurredAt,
        payload: (envelope.payload ?? {}) as Record<string, unknown>,
      });
    },
  };
}
