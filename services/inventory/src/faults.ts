// The inventory's fault-injection operations: what /admin/faults accepts here and what each effect does.
import type { OperationSpec } from '@saga/faults';

export const inventoryFaultOperations: OperationSpec[] = [
  {
    name: 'reserve',
    kind: 'step',
    description: 'T2 reserve stock (command or OrderCreated): error refuses the reservation (StockReservationFailed, nothing reserved); timeout fails the delivery after the hold, which is retried; delay slows it',
  },
  {
    name: 'release',
    kind: 'step',
    description: 'C2 release stock (command or PaymentFailed): error and timeout fail the delivery, which is retried until the rule runs out; delay slows it',
  },
  {
    name: 'consumer',
    kind: 'consumer',
    description: 'every inventory consumer (ReserveStock/ReleaseStock commands, order and payment events): duplicate delivers twice, crash-after-commit dies after commit before the ack, error/timeout fail the delivery, delay slows it',
  },
];
