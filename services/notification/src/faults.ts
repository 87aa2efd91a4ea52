// The notification service's fault-injection operations and its default injector.
import { serviceFaults, type FaultInjector, type FaultInjectorOptions, type OperationSpec } from '@saga/faults';
import type { Logger } from '@saga/platform';

export const notificationFaultOperations = [
  {
    name: 'send',
    kind: 'step',
    description: 'delivering a notification through its channel: error/timeout fail the attempt like a channel failure (recorded FAILED, retried until it works); delay slows it',
  },
  {
    name: 'consumer',
    kind: 'consumer',
    description: 'the SendNotification (RabbitMQ) and order events (Kafka) consumers: error/timeout fail a delivery (retried), duplicate handles it twice (the inbox dedupes), crash-after-commit dies before the ack',
  },
] as const satisfies readonly OperationSpec[];

export type NotificationFaultOptions = { logger: Logger } & Pick<FaultInjectorOptions, 'crash' | 'random' | 'sleep' | 'enabled' | 'onTrigger'>;

export function createNotificationFaults({ logger, ...rest }: NotificationFaultOptions): FaultInjector {
  return serviceFaults('notification', notificationFaultOperations, logger, rest);
}

export type { FaultInjector } from '@saga/faults';
