// start:local's supervisor: starts the services wave by wave, restarts one that dies (restart-policy.ts), stops them in reverse waves.
import { decideAfterDeath, deathsWorthRemembering, defaultRestartPolicy, type Death, type RestartPolicy } from './restart-policy';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why there was no process at all (spawn failed). */
  error?: string;
}

/** One OS process of a service as the supervisor sees it: a real child process in start-local.ts, a fake in the tests. */
export interface ServiceProcess {
  /** Settles once, when the process has ended or could not be spawned. */
  readonly exited: Promise<ExitStatus>;
  isRunning(): boolean;
  kill(signal: NodeJS.Signals): void;
}

/** One answer of a service's /health/ready; `answer` (status and body, or the error) ends up in a timeout's message. */
export type Readiness = { ready: true } | { ready: false; answer: string };

/** Injected so that the tests drive time (jest's fake timers, or any clock of their own). */
export interface Clock {
  now(): number;
  /** Calls `callback` after `ms`; the function returned cancels it. */
  after(ms: number, callback: () => void): () => void;
}

/** The global timers, looked up at each call (so jest's fake timers replace them too). */
export const systemClock: Clock = {
  now: () => Date.now(),
  after: (ms, callback) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

export interface SupervisedService {
  name: string;
  /** Base URL; readiness is `${url}/health/ready`, as every service of the platform serves it. */
  url: string;
}

export interface SupervisorOptions<S extends SupervisedService> {
  /** Every service of wave n is ready before wave n+1 starts; stopped in reverse. */
  waves: readonly (readonly S[])[];
  spawn(service: S): ServiceProcess;
  /** One readiness probe of `url`; a rejection counts as "not ready" with its message. */
  probeReady(url: string): Promise<Readiness>;
  log(message: string): void;
  /** Called once, after shutdown() has stopped every service: the launcher exits with this code. */
  onStopped(exitCode: number): void;
  clock?: Clock;
  policy?: RestartPolicy;
  readyTimeoutMs?: number;
  stopGraceMs?: number;
  probeIntervalMs?: number;
}

export const READY_TIMEOUT_MS = 30_000;
export const STOP_GRACE_MS = 10_000;
const PROBE_INTERVAL_MS = 200;

/** One process of a service, from spawn to exit: a restart is a new instance. */
interface Instance {
  process: ServiceProcess;
  /** When it answered ready (undefined: not yet, or never). */
  upSince?: number;
  /** Its exit is already dealt with (a stop, or a kill because a restart never became ready): not a death to react to. */
  exitAccountedFor: boolean;
}

interface Slot<S> {
  service: S;
  current?: Instance;
  deaths: Death[];
  cancelPendingRestart?: () => void;
}

type ReadyResult = { ready: true } | { ready: false; because: 'exited' | 'stopping' | 'timed-out'; message: string };

export class Supervisor<S extends SupervisedService> {
  private readonly slots = new Map<S, Slot<S>>();
  /** 'starting' until every wave is ready: a death then fails the startup (a misconfigured service must not loop). */
  private phase: 'starting' | 'supervising' | 'stopping' = 'starting';
  private stopped?: Promise<void>;
  private readonly clock: Clock;
  private readonly policy: RestartPolicy;
  private readonly readyTimeoutMs: number;
  private readonly stopGraceMs: number;
  private readonly probeIntervalMs: number;

  constructor(private readonly options: SupervisorOptions<S>) {
    for (const service of options.waves.flat()) this.slots.set(service, { service, deaths: [] });
    this.clock = options.clock ?? systemClock;
    this.policy = options.policy ?? defaultRestartPolicy;
    this.readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
    this.stopGraceMs = options.stopGraceMs ?? STOP_GRACE_MS;
    this.probeIntervalMs = options.probeIntervalMs ?? PROBE_INTERVAL_MS;
  }

  /**
   * Starts each wave once the previous one is ready (order needs inventory's catalog, the gateway needs everyone).
   * True once all are ready and supervised; false when the startup failed or a stop came first (shutdown is under way).
   */
  async start(): Promise<boolean> {
    try {
      for (const wave of this.options.waves) {
        if (this.isStopping()) return false;
        const launched = wave.map((service) => ({ service, instance: this.launch(this.slotOf(service)) }));
        await Promise.all(
          launched.map(async ({ service, instance }) => {
            const result = await this.waitReady(service, instance);
            if (!result.ready) throw new Error(result.message);
            instance.upSince = this.clock.now();
            this.options.log(`${service.name} ready on ${service.url}`);
          }),
        );
      }
    } catch (error) {
      if (this.isStopping()) return false;
      this.options.log(error instanceof Error ? error.message : String(error));
      this.shutdown('startup failed', 1);
      return false;
    }
    if (this.isStopping()) return false;
    this.phase = 'supervising';
    return true;
  }

  /** Stops every service (once, whoever asks first) and reports the exit code through onStopped. */
  shutdown(reason: string, exitCode: number): void {
    if (this.isStopping()) return;
    this.options.log(`${reason}: stopping every service`);
    this.stopAll().then(
      () => {
        this.options.log('all stopped');
        this.options.onStopped(exitCode);
      },
      (error: unknown) => {
        this.options.log(`stop failed: ${error instanceof Error ? error.message : String(error)}`);
        this.options.onStopped(1);
      },
    );
  }

  /** Reverse waves: the gateway first (no new requests), then order (no new sagas), then the participants together. */
  stopAll(): Promise<void> {
    this.phase = 'stopping';
    // Before the first await: a restart due while the later waves stop must not bring a service back.
    for (const slot of this.slots.values()) this.cancelPendingRestart(slot);
    return (this.stopped ??= (async () => {
      for (const wave of [...this.options.waves].reverse()) await Promise.all(wave.map((service) => this.stopService(this.slotOf(service))));
    })());
  }

  /** Last resort (the launcher is exiting without a stop): no service outlives it. */
  killNow(): void {
    this.phase = 'stopping';
    for (const slot of this.slots.values()) {
      this.cancelPendingRestart(slot);
      if (slot.current?.process.isRunning()) slot.current.process.kill('SIGKILL');
    }
  }

  /** A method, not an inline comparison: TypeScript would keep its narrowing across the awaits where a stop can begin. */
  private isStopping(): boolean {
    return this.phase === 'stopping';
  }

  private slotOf(service: S): Slot<S> {
    const slot = this.slots.get(service);
    if (!slot) throw new Error(`${service.name} is not one of the supervised services`);
    return slot;
  }

  private launch(slot: Slot<S>): Instance {
    const instance: Instance = { process: this.options.spawn(slot.service), exitAccountedFor: false };
    slot.current = instance;
    void instance.process.exited.then((status) => this.onExit(slot, instance, status));
    return instance;
  }

  private onExit(slot: Slot<S>, instance: Instance, status: ExitStatus): void {
    if (instance.exitAccountedFor || this.isStopping() || slot.current !== instance) return;
    instance.exitAccountedFor = true;
    const { name } = slot.service;
    if (this.phase === 'starting') {
      this.options.log(`${name} died unexpectedly (${describeExit(status)})`);
      this.shutdown(`${name} died during startup`, 1);
      return;
    }
    this.afterDeath(slot, instance, describeExit(status));
  }

  private afterDeath(slot: Slot<S>, instance: Instance, how: string): void {
    const now = this.clock.now();
    slot.deaths = deathsWorthRemembering([...slot.deaths, { at: now, upSince: instance.upSince }], this.policy);
    const decision = decideAfterDeath(slot.deaths, now, this.policy);
    const { name } = slot.service;
    const window = `${seconds(this.policy.crashLoopWindowMs)} s`;
    if (decision.action === 'give-up') {
      this.options.log(`${name} died (${how}): death ${decision.deathsInWindow} in the last ${window}`);
      this.shutdown(`${name} is crash-looping (${decision.deathsInWindow} deaths in ${window})`, 1);
      return;
    }
    this.options.log(
      `${name} died (${how}); restarting in ${seconds(decision.delayMs)} s (death ${decision.deathsInWindow} in the last ${window}; ${this.policy.crashLoopDeaths} stop the platform)`,
    );
    slot.cancelPendingRestart = this.clock.after(decision.delayMs, () => {
      slot.cancelPendingRestart = undefined;
      void this.restart(slot);
    });
  }

  private async restart(slot: Slot<S>): Promise<void> {
    if (this.isStopping()) return;
    const { name, url } = slot.service;
    const instance = this.launch(slot);
    const result = await this.waitReady(slot.service, instance);
    if (result.ready) {
      instance.upSince = this.clock.now();
      this.options.log(`${name} restarted, ready on ${url}`);
      return;
    }
    // Exited: onExit counted that death. Stopping: the stop takes care of it.
    if (result.because !== 'timed-out' || instance.exitAccountedFor || this.isStopping()) return;
    // Never ready counts as a death like any other; killed and gone before the next restart takes the port.
    instance.exitAccountedFor = true;
    this.options.log(`${result.message}: SIGKILL`);
    instance.process.kill('SIGKILL');
    await instance.process.exited;
    if (this.isStopping()) return;
    this.afterDeath(slot, instance, `not ready within ${seconds(this.readyTimeoutMs)} s of its restart`);
  }

  private async waitReady(service: S, instance: Instance): Promise<ReadyResult> {
    const deadline = this.clock.now() + this.readyTimeoutMs;
    let last = 'no answer yet';
    while (this.clock.now() < deadline) {
      if (this.isStopping()) return { ready: false, because: 'stopping', message: `${service.name}: stopping` };
      if (!instance.process.isRunning()) {
        return { ready: false, because: 'exited', message: `${service.name} exited before it was ready (see the [${service.name}] lines above)` };
      }
      let answer: Readiness;
      try {
        answer = await this.options.probeReady(`${service.url}/health/ready`);
      } catch (error) {
        answer = { ready: false, answer: error instanceof Error ? error.message : String(error) };
      }
      if (answer.ready) return answer;
      last = answer.answer;
      await new Promise<void>((done) => this.clock.after(this.probeIntervalMs, done));
    }
    return {
      ready: false,
      because: 'timed-out',
      message: `${service.name} was not ready on ${service.url}/health/ready within ${seconds(this.readyTimeoutMs)} s (last answer: ${last})`,
    };
  }

  /** SIGTERM, then SIGKILL after the grace period. */
  private async stopService(slot: Slot<S>): Promise<void> {
    this.cancelPendingRestart(slot);
    const instance = slot.current;
    if (!instance?.process.isRunning()) return;
    instance.exitAccountedFor = true;
    instance.process.kill('SIGTERM');
    const timedOut = await new Promise<boolean>((done) => {
      const cancelGrace = this.clock.after(this.stopGraceMs, () => done(true));
      void instance.process.exited.then(() => {
        cancelGrace();
        done(false);
      });
    });
    if (timedOut && instance.process.isRunning()) {
      this.options.log(`${slot.service.name} still running ${seconds(this.stopGraceMs)} s after SIGTERM: SIGKILL`);
      instance.process.kill('SIGKILL');
      await instance.process.exited;
    }
  }

  private cancelPendingRestart(slot: Slot<S>): void {
    slot.cancelPendingRestart?.();
    slot.cancelPendingRestart = undefined;
  }
}

export function describeExit(status: ExitStatus): string {
  if (status.error) return status.error;
  return status.signal ? `signal ${status.signal}` : `exit code ${status.code}`;
}

const seconds = (ms: number) => ms / 1000;
