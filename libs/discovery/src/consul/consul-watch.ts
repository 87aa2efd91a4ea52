// Blocking-query loop for one service's health: follows X-Consul-Index, keeps the last list through outages, backs off.
import { sameInstances, type Instance, type Watch } from '../ports/service-registry.port';

export interface WatchOptions {
  /** Consul's `wait`: how long the agent holds a blocking query open when nothing changes. */
  waitS: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

type Query = (index: number, signal: AbortSignal) => Promise<{ instances: Instance[]; index: number }>;

/** Consul docs, "Blocking queries / implementation details": reset when the index goes backwards, never send 0 or less as a blocking index. */
export function nextIndex(previous: number, received: number): number {
  if (!Number.isFinite(received) || received <= 0) return 0;
  if (received < previous) return 0;
  return received;
}

export function watchHealth(onChange: (instances: Instance[]) => void, options: WatchOptions, query: Query): Watch {
  const controller = new AbortController();
  let last: Instance[] | undefined;
  let index = 0;
  let backoffMs = options.initialBackoffMs;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      // Remove the abort listener when the timer fires, or a long-lived watch would pile them up on one signal.
      const onAbort = () => (clearTimeout(timer), resolve());
      const timer = setTimeout(() => (controller.signal.removeEventListener('abort', onAbort), resolve()), ms);
      controller.signal.addEventListener('abort', onAbort, { once: true });
    });

  const loop = async () => {
    while (!controller.signal.aborted) {
      try {
        // The agent adds up to wait/16 of jitter; leave room for it before we give up on the request.
        const timeout = AbortSignal.timeout((options.waitS * 1.1 + 5) * 1000);
        const result = await query(index, AbortSignal.any([controller.signal, timeout]));
        if (controller.signal.aborted) return;
        index = nextIndex(index, result.index);
        backoffMs = options.initialBackoffMs;
        if (!last || !sameInstances(last, result.instances)) {
          last = result.instances;
          notify(result.instances);
        }
        // Index 0 means the next query will not block: pause so a confused agent cannot turn this into a tight loop.
        if (index === 0) await sleep(options.initialBackoffMs);
      } catch {
        if (controller.signal.aborted) return;
        // Keep `last`: a brief registry outage must not empty the caller's list. Retry with jittered exponential backoff.
        index = 0;
        await sleep(backoffMs / 2 + (Math.random() * backoffMs) / 2);
        backoffMs = Math.min(backoffMs * 2, options.maxBackoffMs);
      }
    }
  };
  // A throwing listener is the caller's bug; it must not be mistaken for a registry outage and stop the loop.
  const notify = (instances: Instance[]) => {
    try {
      onChange(instances);
    } catch (error) {
      process.emitWarning(error instanceof Error ? error : new Error(String(error)), 'DiscoveryWatchListenerError');
    }
  };
  void loop();
  return { stop: () => controller.abort() };
}
