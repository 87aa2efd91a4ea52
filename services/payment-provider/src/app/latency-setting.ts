// The simulated card-network latency, adjustable at run time (POST /admin/latency) so a test can slow the provider down.

export const MAX_LATENCY_MS = 120_000;

export class LatencySetting {
  #ms: number;

  constructor(initialMs: number) {
    this.#ms = initialMs;
  }

  get ms(): number {
    return this.#ms;
  }

  set(ms: number): void {
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_LATENCY_MS) throw new RangeError(`latency must be an integer 0..${MAX_LATENCY_MS} ms, got ${ms}`);
    this.#ms = ms;
  }

  /** Waits the current latency (read now: a change applies to requests that reach this point after it). */
  wait(): Promise<void> {
    const ms = this.#ms;
    return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
  }
}
