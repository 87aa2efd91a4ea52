// Kafka adapters of the order service: its choreography reactions (inbox + outbox) and the timeline projector.
import { consumerGroups, topics } from '@saga/contracts';
import type { SqlClient } from '@saga/db';
import { enqueueOutbox, handleOnce, type EventSubscription } from '@saga/messaging';
import { withCorrelation, type Logger } from '@saga/platform';
import { reactToParticipantEvent } from '../app/react-to-participant-event';
import { appendTimeline } from '../store/timeline-repository';

export const EVENTS_INBOX_CONSUMER = 'order.events';

export function choreographySubscription(deps: { db: SqlClient; now: () => Date; logger: Logger }): EventSubscription {
  return {
    groupId: consumerGroups.order,
    topics: [topics.inventoryEvents, topics.paymentEvents],
    fromBeginning: true,
    handle: async ({ envelope }) => {
      let caused = 0;
      await handleOnce(deps.db, EVENTS_INBOX_CONSUMER, envelope, async (tx) => {
        const messages = await reactToParticipantEvent(tx, envelope, deps.now());
        caused = messages.length;
        await enqueueOutbox(tx, messages);
      });
      if (caused > 0) withCorrelation(deps.logger, { orderId: envelope.correlationId }).info({ event: envelope.type }, 'choreography: order settled');
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
