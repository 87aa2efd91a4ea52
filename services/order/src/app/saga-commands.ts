// Turns the saga's commands into contract messages on their routing keys, replies addressed back to the orchestrator.
import { randomUUID } from 'node:crypto';
import { ChargePayment, ReleaseStock, RefundPayment, ReserveStock, SendNotification, routingKeys, type EnvelopeMeta } from '@saga/contracts';
import type { OutboxMessage } from '@saga/messaging';
import type { SagaCommand, SagaState } from '../domain/order-saga.types';

export function toOutboxMessage(command: SagaCommand, saga: SagaState, causationId: string | undefined, now: () => Date): OutboxMessage {
  const ref = { orderId: saga.orderId, sagaId: saga.sagaId };
  const meta: EnvelopeMeta = { correlationId: saga.orderId, ...(causationId ? { causationId } : {}) };
  const deps = { now, newId: randomUUID };
  const send = (routingKey: string, envelope: OutboxMessage['envelope']): OutboxMessage => ({ transport: 'command', routingKey, envelope, replyTo: routingKeys.sagaReply });
  switch (command.type) {
    case 'ReserveStock':
      return send(routingKeys.reserveStock, ReserveStock.create({ ...ref, lines: command.lines }, meta, deps));
    case 'ReleaseStock':
      return send(routingKeys.releaseStock, ReleaseStock.create(ref, meta, deps));
    case 'ChargePayment':
      return send(routingKeys.charge, ChargePayment.create({ ...ref, customerId: command.customerId, amountCents: command.amountCents, currency: 'EUR', paymentToken: command.paymentToken }, meta, deps));
    case 'RefundPayment':
      return send(routingKeys.refund, RefundPayment.create(ref, meta, deps));
    case 'SendNotification':
      return send(routingKeys.notify, SendNotification.create({ ...ref, customerId: command.customerId, kind: command.kind, ...(command.reason ? { reason: command.reason } : {}) }, meta, deps));
  }
}
