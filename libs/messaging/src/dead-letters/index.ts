// Public surface of the dead-letter admin: list a service's dead letters on both brokers, re-drive one.
export { createDeadLetterAdmin, type DeadLetterAdmin, type DeadLetterAdminOptions, type DeadLetterListing, type DeadLetterState, type DeadLetterView } from './dead-letter-admin';
export {
  deadLetterAdminRoutes,
  deadLetterAlreadyRedrivenSchema,
  deadLetterCountsSchema,
  deadLetterListQuery,
  deadLetterListingSchema,
  deadLetterRedrivenSchema,
  deadLetterViewSchema,
} from './dead-letter-admin.routes';
export { deadLetterIdPattern, formatDeadLetterId, parseDeadLetterId, type DeadLetterBroker, type DeadLetterId } from './dead-letter-id';
