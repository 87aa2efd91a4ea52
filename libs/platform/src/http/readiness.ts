// Readiness: run each dependency check with a timeout; not ready if any fails or the service is shutting down.

export type CheckStatus = 'up' | 'down';

export interface CheckResult {
  status: CheckStatus;
  /** Why the check failed; readiness is an internal endpoint, so the message helps operators. */
  error?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'not-ready';
  checks: Record<string, CheckResult>;
}

/** Resolves when the dependency is usable; the signal aborts when the check runs out of time. */
export type ReadinessCheck = (signal: AbortSignal) => Promise<unknown>;

export interface ReadinessOptions {
  checks: Record<string, ReadinessCheck>;
  /** Per check. A hung database must not hang the probe. Default 2000. */
  timeoutMs?: number;
  /** Once true, report not-ready without running checks, so the load balancer stops sending traffic. */
  isShuttingDown?: () => boolean;
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`timed out after ${timeoutMs} ms`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(() => check(controller.signal)), deadline]);
    return { status: 'up' };
  } catch (err) {
    return { status: 'down', error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** Builds the `readiness` function that createHttpApp serves on GET /health/ready. */
export function createReadiness({ checks, timeoutMs = 2000, isShuttingDown }: ReadinessOptions): () => Promise<ReadinessReport> {
  return async () => {
    if (isShuttingDown?.()) return { status: 'not-ready', checks: { shutdown: { status: 'down', error: 'shutting down' } } };
    const names = Object.keys(checks);
    // Checks run in parallel: the probe takes as long as the slowest one, not their sum.
    const results = await Promise.all(names.map((name) => runCheck(checks[name]!, timeoutMs)));
    const report: Record<string, CheckResult> = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
    return { status: results.every((r) => r.status === 'up') ? 'ready' : 'not-ready', checks: report };
  };
}
