// Blocking-query watch of one service's healthy instances on the `consul` package's `watch` helper. The helper runs the
// loop (index + wait, its timeout from wait, reset to 0 when the index goes backwards, index 0 or no X-Consul-Index
// refused, the in-flight request aborted by end()). On top: the list survives outages, a failed watch restarts from
// index 0 after a jittered backoff (the helper would retry in lockstep, or end for good on a 400), only changes notify.
import type Consul from 'consul';
import { sameInstances, type Instance, type Watch } from '../ports/service-registry.port';
import { toInstances } from './consul-wire';

export interface WatchOptions {
  /** Consul's `wait`: how long the agent holds a blocking query open when nothing changes. */
  waitS: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

type PackageWatch = ReturnType<Consul['watch']>;

export function watchHealth(consul: Consul, service: string, onChange: (instances: Instance[]) => void, options: WatchOptions): Watch {
  let stopped = false;
  let current: PackageWatch | undefined;
  let restart: NodeJS.Timeout | undefined;
  let last: Instance[] | undefined;
  let backoffMs = options.initialBackoffMs;

  const start = () => {
    restart = undefined;
    // maxAttempts 0: the helper ends on its first error instead of retrying on its own schedule; 'end' below restarts it.
    const watch = consul.watch({ method: consul.health.service, options: { service, passing: 'true', wait: `${options.waitS}s` }, maxAttempts: 0 });
    current = watch;
    watch.on('change', (body: unknown) => {
      let instances: Instance[];
      try {
        instances = toInstances(body);
      } catch {
        return watch.end();
      }
      backoffMs = options.initialBackoffMs;
      deliver(instances);
    });
    // Keep `last`: a registry outage must not empty the caller's list. The 'end' that follows schedules the restart.
    watch.on('error', () => undefined);
    watch.on('end', () => {
      if (stopped || current !== watch) return;
      // A fresh watch starts from index 0: its first query does not block, so a restarted agent is read at once.
      restart = setTimeout(start, backoffMs / 2 + (Math.random() * backoffMs) / 2);
      backoffMs = Math.min(backoffMs * 2, options.maxBackoffMs);
    });
  };

  const deliver = (instances: Instance[]) => {
    if (last && sameInstances(last, instances)) return;
    last = instances;
    // A throwing listener is the caller's bug; it must not be mistaken for a registry outage and restart the watch.
    try {
      onChange(instances);
    } catch (error) {
      process.emitWarning(error instanceof Error ? error : new Error(String(error)), 'DiscoveryWatchListenerError');
    }
  };

  // The helper sends its first query on the next tick, so callers never see onChange before watch() returns.
  start();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(restart);
      // end() emits the helper's 'cancel': the held blocking request is aborted now, not when `wait` runs out.
      current?.end();
    },
  };
}
