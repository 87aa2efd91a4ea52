// The system view in words, for its table: outbox and dead-letter cells, every breaker with who holds it, a headline.
import type { BreakerView, ServiceView, SystemView } from './types';

export const outboxText = (outbox: ServiceView['outbox']): string =>
  outbox.status === 'ok' ? `${outbox.pending} pending, ${outbox.parked} parked` : `unavailable (${outbox.reason})`;

export function deadLetterText(letters: ServiceView['deadLetters']): string {
  if (letters.status === 'unavailable') return `unavailable (${letters.reason})`;
  const counts = `${letters['dead-lettered']} waiting, ${letters.redriven} re-driven`;
  return letters.status === 'partial' ? `${counts} (partial: ${letters.reason})` : counts;
}

export interface BreakerRow {
  /** Who calls through it: the gateway, or one instance of the service. */
  holder: string;
  breaker: BreakerView;
}

/** The gateway's breaker towards the service first, then each instance's own towards its dependencies. */
export function breakerRows(service: ServiceView): BreakerRow[] {
  const own = service.instances.flatMap((instance) =>
    instance.breakers.status === 'ok' ? instance.breakers.items.map((breaker) => ({ holder: service.instances.length > 1 ? `${service.name} ${instance.url}` : service.name, breaker })) : [],
  );
  return [{ holder: 'gateway', breaker: service.gatewayBreaker }, ...own];
}

export const breakerText = (row: BreakerRow): string => `${row.holder} → ${row.breaker.name}: ${row.breaker.state}`;

/** One line for the whole system: what is not well, or that all is. */
export function headline(view: SystemView): { healthy: boolean; text: string } {
  const notUp = view.services.filter((service) => service.state !== 'up').map((service) => `${service.name} ${service.state}`);
  const open = view.services.flatMap(breakerRows).filter((row) => row.breaker.state !== 'closed').map((row) => `${breakerText(row)}`);
  const waiting = view.services.reduce((sum, service) => sum + (service.deadLetters.status === 'unavailable' ? 0 : service.deadLetters['dead-lettered']), 0);
  const problems = [...notUp, ...open, ...(waiting > 0 ? [`${waiting} dead letter${waiting === 1 ? '' : 's'} waiting`] : [])];
  return problems.length === 0
    ? { healthy: true, text: `All ${view.services.length} services up, every breaker closed, no dead letter waiting.` }
    : { healthy: false, text: `Attention: ${problems.join('; ')}.` };
}
