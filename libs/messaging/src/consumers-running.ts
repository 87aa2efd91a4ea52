// Readiness of a service's consumers: the check every service runs, so a consumer being rebuilt makes it not ready.
import type { Subscription } from './ports/delivery.types';

/**
 * Throws (naming them) when any of the started consumers is not attached to its broker right now: /health/ready then
 * answers 503 until they are back. Consumers not started (undefined: not configured, or not yet) are left to the
 * service's own "started" check.
 */
export function assertConsumersRunning(consumers: Record<string, Subscription | undefined>): void {
  const down = Object.entries(consumers).filter(([, subscription]) => subscription && !subscription.isRunning()).map(([name]) => name);
  if (down.length > 0) throw new Error(`consumer${down.length > 1 ? 's' : ''} down, being rebuilt: ${down.join(', ')}`);
}
