// Where time comes from: injected, so the domain stays pure and tests deterministic.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
