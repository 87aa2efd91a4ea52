// When start:local restarts a service that died, and when it gives up: pure (no clock, no I/O) so every case is unit-tested.

export interface RestartPolicy {
  /** Delay before the first restart of a streak; each further death of the streak doubles it. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** A life at least this long (counted from ready) ends the streak: the next death starts again at initialDelayMs. */
  stableAfterMs: number;
  /** This many deaths of one service within crashLoopWindowMs is a crash loop: give up. */
  crashLoopDeaths: number;
  crashLoopWindowMs: number;
}

/**
 * Like docker compose's `restart: unless-stopped` and Kubernetes' CrashLoopBackOff: exponential backoff between
 * restarts, reset by a stable run. Unlike them a crash loop stops the platform: a launcher in a terminal has nobody
 * watching a pod's restart count, and a service that cannot stay up makes every saga through it fail anyway.
 */
export const defaultRestartPolicy: RestartPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 10_000,
  stableAfterMs: 30_000,
  crashLoopDeaths: 5,
  crashLoopWindowMs: 60_000,
};

/** One life of a service that ended: when it died, and when it had become ready (absent: it never did). */
export interface Death {
  at: number;
  upSince?: number;
}

export type RestartDecision = { action: 'restart'; delayMs: number; deathsInWindow: number } | { action: 'give-up'; deathsInWindow: number };

/**
 * What to do after the latest death of `deaths` (oldest first, the one just seen last; `now` is normally its time).
 * A death exactly crashLoopWindowMs ago has slid out of the window.
 */
export function decideAfterDeath(deaths: readonly Death[], now: number, policy: RestartPolicy = defaultRestartPolicy): RestartDecision {
  if (deaths.length === 0) throw new RangeError('decideAfterDeath needs the death it is deciding about');
  const deathsInWindow = deaths.filter((death) => death.at <= now && now - death.at < policy.crashLoopWindowMs).length;
  if (deathsInWindow >= policy.crashLoopDeaths) return { action: 'give-up', deathsInWindow };
  const streak = deathsSinceLastStableLife(deaths, policy);
  const delayMs = Math.min(policy.initialDelayMs * 2 ** (streak - 1), policy.maxDelayMs);
  return { action: 'restart', delayMs, deathsInWindow };
}

/**
 * The deaths a supervisor must keep for decideAfterDeath to decide as it would with the whole history: enough for
 * the crash-loop window (it gives up as soon as that is full) and for the backoff to reach its cap; older ones
 * cannot change a decision, so a service that dies now and then for days does not grow the launcher's memory.
 */
export function deathsWorthRemembering(deaths: readonly Death[], policy: RestartPolicy = defaultRestartPolicy): Death[] {
  const deathsToReachCap = 1 + Math.max(0, Math.ceil(Math.log2(policy.maxDelayMs / policy.initialDelayMs)));
  return deaths.slice(-Math.max(policy.crashLoopDeaths, deathsToReachCap));
}

/** The latest death counts as 1; each earlier one counts until a life that had been stable (that one included). */
function deathsSinceLastStableLife(deaths: readonly Death[], policy: RestartPolicy): number {
  let streak = 0;
  for (let i = deaths.length - 1; i >= 0; i--) {
    streak++;
    const { at, upSince } = deaths[i];
    if (upSince !== undefined && at - upSince >= policy.stableAfterMs) break;
  }
  return streak;
}
