// The payment's fault-injection operations: what /admin/faults accepts here and what each effect does.
import type { OperationSpec } from '@saga/faults';

export const paymentFaultOperations: OperationSpec[] = [
  {
    name: 'charge',
    kind: 'step',
    description: 'T3 charge (command or StockReserved): error fails it as PROVIDER_UNAVAILABLE without calling the provider; timeout answers TIMEOUT (outcome unknown) after the hold; delay slows it',
  },
  {
    name: 'refund',
    kind: 'step',
    description: 'C3 refund (command or OrderCancelled): error and timeout fail the delivery, which is retried until the rule runs out; delay slows it',
  },
  {
    name: 'commands',
    kind: 'consumer',
    description: 'the RabbitMQ command consumer only (ChargePayment/RefundPayment, orchestration): the consumer effects, on commands alone',
  },
  {
    name: 'events',
    kind: 'consumer',
    description: 'the Kafka event consumer only (order and inventory events, choreography): the consumer effects, on events alone',
  },
  {
    name: 'consumer',
    kind: 'consumer',
    description: 'every payment consumer (ChargePayment/RefundPayment commands, order and inventory events): duplicate delivers twice, crash-after-commit dies after commit before the ack, error/timeout fail the delivery, delay slows it',
  },
];
