// Circuit breaker instruments: the state as a gauge (0 closed, 1 half-open, 2 open) and every transition counted.
import { counterOf, gaugeOf, type Metrics } from './metrics';

export type BreakerStateName = 'closed' | 'half-open' | 'open';

/** What watch() needs of a breaker: @saga/resilience's Breaker has it (structural, so no dependency on it). */
export interface ObservableBreaker {
  readonly name: string;
  state(): BreakerStateName;
  on(event: 'open' | 'halfOpen' | 'close', listener: () => void): () => void;
}

const stateValue: Record<BreakerStateName, number> = { closed: 0, 'half-open': 1, open: 2 };
const stateOfEvent = { open: 'open', halfOpen: 'half-open', close: 'closed' } as const;

export interface BreakerMetrics {
  transition(breaker: string, to: BreakerStateName): void;
  /** Records the breaker's current state and each later transition; returns the unsubscribe function. */
  watch(breaker: ObservableBreaker): () => void;
}

export function breakerMetrics(metrics: Metrics): BreakerMetrics {
  const { service } = metrics;
  const state = gaugeOf(metrics, { name: 'circuit_breaker_state', help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open.', labelNames: ['breaker'] });
  const transitions = counterOf(metrics, { name: 'circuit_breaker_transitions_total', help: 'Circuit breaker state changes, by the state entered.', labelNames: ['breaker', 'to'] });
  const transition = (breaker: string, to: BreakerStateName) => {
    state.set({ service, breaker }, stateValue[to]);
    transitions.inc({ service, breaker, to });
  };
  return {
    transition,
    watch(breaker) {
      state.set({ service, breaker: breaker.name }, stateValue[breaker.state()]);
      const offs = (Object.keys(stateOfEvent) as (keyof typeof stateOfEvent)[]).map((event) => breaker.on(event, () => transition(breaker.name, stateOfEvent[event])));
      return () => offs.forEach((off) => off());
    },
  };
}
