// Graceful shutdown: run ordered stop hooks once, under an overall deadline, logging (not stopping at) failures.
import type { Logger } from '../logging/create-logger';

export type ShutdownHook = () => Promise<void> | void;

export interface ShutdownResult {
  /** True when every hook finished without throwing before the deadline. */
  ok: boolean;
  timedOut: boolean;
  /** Names of the hooks that threw. */
  failed: string[];
}

export interface GracefulShutdownOptions {
  logger: Logger;
  /** For all hooks together; keep it below the orchestrator's grace period (k8s: 30 s). Default 25000. */
  deadlineMs?: number;
}

/**
 * The pure hook runner (no signals, no process.exit; see installShutdownSignals for those).
 * Hooks run one after another in registration order, so register them in the order things
 * must stop: HTTP server, message consumers, brokers, then the database pool.
 */
export class GracefulShutdown {
  private readonly hooks: { name: string; hook: ShutdownHook }[] = [];
  private readonly logger: Logger;
  private readonly deadlineMs: number;
  private running: Promise<ShutdownResult> | undefined;

  constructor({ logger, deadlineMs = 25_000 }: GracefulShutdownOptions) {
    this.logger = logger;
    this.deadlineMs = deadlineMs;
  }

  register(name: string, hook: ShutdownHook): this {
    this.hooks.push({ name, hook });
    return this;
  }

  /** An arrow property, so it can be handed to createReadiness unbound. */
  readonly isShuttingDown = (): boolean => this.running !== undefined;

  /** Runs the hooks; later calls return the first run's result instead of running them again. */
  run(reason = 'shutdown'): Promise<ShutdownResult> {
    this.running ??= this.runHooks(reason);
    return this.running;
  }

  private async runHooks(reason: string): Promise<ShutdownResult> {
    this.logger.info({ reason, hooks: this.hooks.map((h) => h.name) }, 'shutting down');
    const failed: string[] = [];
    let current: string | undefined;
    let expired = false;
    let timer: NodeJS.Timeout | undefined;

    const allHooks = (async () => {
      for (const { name, hook } of this.hooks) {
        if (expired) return; // past the deadline: do not start anything new
        current = name;
        try {
          await hook();
          this.logger.info({ hook: name }, 'shutdown hook done');
        } catch (err) {
          failed.push(name);
          this.logger.error({ err, hook: name }, 'shutdown hook failed; continuing with the next');
        }
      }
      current = undefined;
    })();
    const deadline = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), this.deadlineMs);
    });

    const outcome = await Promise.race([allHooks.then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'expired') {
      expired = true;
      this.logger.error({ hook: current, deadlineMs: this.deadlineMs }, 'shutdown deadline exceeded');
      return { ok: false, timedOut: true, failed };
    }
    this.logger.info({ failed }, 'shutdown complete');
    return { ok: failed.length === 0, timedOut: false, failed };
  }
}
