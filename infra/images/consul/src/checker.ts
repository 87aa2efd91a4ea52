// What a Consul agent does with a registered service's HTTP check, which the API double leaves to its tests: probe it
// every Interval, flip the status (2xx passing, 429 warning, anything else critical), reap long-critical services.
import { parseGoDurationMs } from './duration';

export type CheckStatus = 'passing' | 'warning' | 'critical';

export interface HttpCheck {
  HTTP: string;
  Interval: string;
  Timeout?: string;
  DeregisterCriticalServiceAfter?: string;
  Status?: string;
}

export interface CheckerDeps {
  /** One HTTP GET of the check URL: its status code; rejects on a connection error or the timeout. */
  probe(url: string, timeoutMs: number): Promise<number>;
  /** Record a status change in the catalog (the double's setCheckStatus). */
  setStatus(serviceId: string, status: CheckStatus): void;
  /** Remove the service from the catalog, as the agent's reaper does. */
  deregister(serviceId: string): Promise<void>;
  now(): number;
  /** In [0, 1): Consul staggers a new check's first run randomly within one interval. */
  random(): number;
  log(message: string): void;
}

export interface CheckerOptions {
  /** Consul's check_reap_interval: how often critical services are looked at for deregistration. */
  reapIntervalMs: number;
  /** Consul raises a shorter DeregisterCriticalServiceAfter to this minimum (one minute) and says so. */
  minDeregisterMs: number;
}

/** Consul's default HTTP check timeout when none is given. */
export const DEFAULT_TIMEOUT_MS = 10_000;

interface Entry {
  check: HttpCheck;
  intervalMs: number;
  timeoutMs: number;
  deregisterAfterMs: number | undefined;
  status: CheckStatus;
  criticalSince: number | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Bumped on every re-registration, so a probe started for the old definition cannot write its result. */
  generation: number;
}

/** Consul's mapping of an HTTP check's response code. */
export function statusOf(code: number): CheckStatus {
  if (code >= 200 && code < 300) return 'passing';
  if (code === 429) return 'warning';
  return 'critical';
}

export class HealthChecker {
  private readonly entries = new Map<string, Entry>();
  private reapTimer: NodeJS.Timeout | undefined;
  private generation = 0;

  constructor(
    private readonly deps: CheckerDeps,
    private readonly options: CheckerOptions = { reapIntervalMs: 30_000, minDeregisterMs: 60_000 },
  ) {}

  start(): void {
    this.reapTimer ??= setInterval(() => void this.reap(), this.options.reapIntervalMs);
    this.reapTimer.unref();
  }

  stop(): void {
    clearInterval(this.reapTimer);
    this.reapTimer = undefined;
    for (const id of [...this.entries.keys()]) this.remove(id);
  }

  /** Current view of a service's check (tests, logs). */
  status(serviceId: string): CheckStatus | undefined {
    return this.entries.get(serviceId)?.status;
  }

  /**
   * A (re-)registration the catalog accepted. Its status is what the double stored: the check's Status if given, else
   * the previous registration's, else critical (a new Consul check starts critical).
   */
  upsert(serviceId: string, check: HttpCheck | undefined): void {
    const previous = this.entries.get(serviceId);
    this.clearTimer(previous);
    if (!check) {
      this.entries.delete(serviceId);
      return;
    }
    const status = (check.Status as CheckStatus | undefined) ?? previous?.status ?? 'critical';
    let deregisterAfterMs = check.DeregisterCriticalServiceAfter ? parseGoDurationMs(check.DeregisterCriticalServiceAfter) : undefined;
    if (deregisterAfterMs !== undefined && deregisterAfterMs > 0 && deregisterAfterMs < this.options.minDeregisterMs) {
      this.deps.log(`check for service "${serviceId}" has deregister interval below minimum of ${this.options.minDeregisterMs / 1000}s`);
      deregisterAfterMs = this.options.minDeregisterMs;
    }
    const timeoutMs = check.Timeout ? parseGoDurationMs(check.Timeout) : DEFAULT_TIMEOUT_MS;
    const entry: Entry = {
      check,
      intervalMs: parseGoDurationMs(check.Interval),
      timeoutMs: timeoutMs > 0 ? timeoutMs : DEFAULT_TIMEOUT_MS,
      deregisterAfterMs: deregisterAfterMs || undefined,
      status,
      criticalSince: status === 'critical' ? (previous?.status === 'critical' ? previous.criticalSince : this.deps.now()) : undefined,
      timer: undefined,
      generation: ++this.generation,
    };
    this.entries.set(serviceId, entry);
    this.schedule(serviceId, entry, Math.floor(this.deps.random() * entry.intervalMs));
  }

  /** A deregistration (by the service, or by the reaper): its check stops. */
  remove(serviceId: string): void {
    this.clearTimer(this.entries.get(serviceId));
    this.entries.delete(serviceId);
  }

  /** One run of a service's check; the next is scheduled one interval after it ends (Consul's loop). */
  async runCheck(serviceId: string): Promise<void> {
    const entry = this.entries.get(serviceId);
    if (!entry) return;
    const { generation } = entry;
    let status: CheckStatus;
    try {
      status = statusOf(await this.deps.probe(entry.check.HTTP, entry.timeoutMs));
    } catch (error) {
      status = 'critical';
      if (entry.status !== 'critical') this.deps.log(`check of "${serviceId}" failed: ${(error as Error).message}`);
    }
    // Removed or re-registered while the probe was out: that result is about a definition that no longer exists.
    if (this.entries.get(serviceId) !== entry || entry.generation !== generation) return;
    this.record(serviceId, entry, status);
    this.schedule(serviceId, entry, entry.intervalMs);
  }

  /** Consul's reaper: deregister services whose check has been critical for longer than DeregisterCriticalServiceAfter. */
  async reap(): Promise<void> {
    const now = this.deps.now();
    for (const [id, entry] of [...this.entries]) {
      if (entry.status !== 'critical' || entry.deregisterAfterMs === undefined || entry.criticalSince === undefined) continue;
      if (now - entry.criticalSince <= entry.deregisterAfterMs) continue;
      this.deps.log(`removed service "${id}": check has been critical for ${Math.round((now - entry.criticalSince) / 1000)}s`);
      this.remove(id);
      try {
        await this.deps.deregister(id);
      } catch (error) {
        this.deps.log(`deregistering "${id}" failed: ${(error as Error).message}`);
      }
    }
  }

  private record(serviceId: string, entry: Entry, status: CheckStatus): void {
    // Only a change reaches the catalog: every setCheckStatus bumps the index and wakes each blocking query.
    if (status === entry.status) return;
    this.deps.log(`check of "${serviceId}" is now ${status}`);
    entry.status = status;
    entry.criticalSince = status === 'critical' ? this.deps.now() : undefined;
    this.deps.setStatus(serviceId, status);
  }

  private schedule(serviceId: string, entry: Entry, delayMs: number): void {
    entry.timer = setTimeout(() => void this.runCheck(serviceId), delayMs);
    entry.timer.unref();
  }

  private clearTimer(entry: Entry | undefined): void {
    if (entry?.timer) clearTimeout(entry.timer);
  }
}
