// The order service's fault-injection operations, and the one injector per process that main.ts / embedded mode share.
import { serviceFaults, type FaultInjector, type FaultInjectorOptions, type OperationSpec } from '@saga/faults';
import type { Logger } from '@saga/platform';

export const orderFaultOperations = [
  {
    name: 'http:inventory',
    kind: 'http',
    description: "inventory's GET /products price lookup: error/timeout count as an inventory failure (cached prices, or 503 PRICES_UNAVAILABLE if none known); delay slows it",
  },
  {
    name: 'consumer',
    kind: 'consumer',
    description: 'the saga replies (RabbitMQ) and choreography events (Kafka) consumers: error/timeout fail a delivery (retried), duplicate handles it twice (the inbox dedupes), crash-after-commit dies before the ack',
  },
  {
    name: 'payment-events',
    kind: 'consumer',
    description: "the choreography consumer, on payments.events.v1 alone (PaymentCompleted, PaymentFailed, …): the consumer effects; delay makes payment's events reach the order after inventory's (StockReleased before PaymentFailed)",
  },
] as const satisfies readonly OperationSpec[];

export type OrderFaultOptions = { logger: Logger } & Pick<FaultInjectorOptions, 'crash' | 'random' | 'sleep' | 'enabled' | 'onTrigger'>;

/** Built by the composition root (not the service factory) because the price catalog, built outside it, needs the same one. */
export function createOrderFaults({ logger, ...rest }: OrderFaultOptions): FaultInjector {
  return serviceFaults('order', orderFaultOperations, logger, rest);
}

export type { FaultInjector } from '@saga/faults';
