// The rules a process holds and the hooks its code calls: before a step or HTTP call, and around a message handler.
import { randomUUID } from 'node:crypto';
import { DEFAULT_TIMEOUT_HOLD_MS, ruleProblem, type FaultRule, type OperationSpec, type ParsedFaultRule } from './fault-rule';

/** The step failed because a rule said so; steps map it to their own failure (a decline, a retry…). */
export class InjectedFaultError extends Error {
  override readonly name = 'InjectedFaultError';
  constructor(readonly operation: string, readonly ruleId: string) {
    super(`fault injected on ${operation} (rule ${ruleId})`);
  }
}

/** The operation was held past any timeout, then abandoned. */
export class InjectedTimeoutError extends Error {
  override readonly name = 'InjectedTimeoutError';
  constructor(readonly operation: string, readonly ruleId: string, heldMs: number) {
    super(`fault injected on ${operation}: no answer for ${heldMs} ms (rule ${ruleId})`);
  }
}

export class FaultRuleError extends Error {
  override readonly name = 'FaultRuleError';
}

export interface FaultInjectorOptions {
  service: string;
  operations: readonly OperationSpec[];
  /** 0 <= x < 1; tests pass a scripted one. */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * crash-after-commit: what "the process dies" means here. Default: SIGKILL this process (no shutdown hooks, no ack).
   * The embedded mode, where one process is the whole platform, throws instead: the message is not acknowledged
   * and comes back, which is what a restarted consumer would see.
   */
  crash?: (operation: string) => Promise<never> | never;
  onTrigger?: (rule: FaultRule) => void;
  /**
   * The fault API's switch (FAULTS_ENABLED). false: inert — no rule can be added (so none fires) and faultRoutes
   * mounts nothing, so /admin/faults is 404. Default true: the injector of tests and of code that builds one itself;
   * the composition roots pass the configured value.
   */
  enabled?: boolean;
}

const abortableSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    }, { once: true });
  });

const killSelf = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL was sent');
};

export class FaultInjector {
  private readonly rules: FaultRule[] = [];
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly options: FaultInjectorOptions) {
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? abortableSleep;
  }

  get service(): string {
    return this.options.service;
  }

  /** false: FAULTS_ENABLED is off; no /admin/faults, no rule. */
  get enabled(): boolean {
    return this.options.enabled ?? true;
  }

  get operations(): readonly OperationSpec[] {
    return this.options.operations;
  }

  add(rule: ParsedFaultRule): FaultRule {
    if (!this.enabled) throw new FaultRuleError(`fault injection is disabled in ${this.options.service} (FAULTS_ENABLED=false)`);
    const problem = ruleProblem(this.options.operations, rule);
    if (problem) throw new FaultRuleError(problem);
    const stored: FaultRule = { ...rule, id: randomUUID(), service: this.options.service, triggered: 0, createdAt: new Date().toISOString() };
    this.rules.push(stored);
    return { ...stored };
  }

  list(): FaultRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  remove(id: string): boolean {
    const index = this.rules.findIndex((rule) => rule.id === id);
    if (index === -1) return false;
    this.rules.splice(index, 1);
    return true;
  }

  clear(): number {
    return this.rules.splice(0).length;
  }

  /** The first rule on this operation that fires now (probability), counted; a rule whose `times` ran out is removed. */
  private fire(operation: string): FaultRule | undefined {
    if (!this.enabled) return undefined;
    for (const rule of this.rules) {
      if (rule.operation !== operation) continue;
      if (rule.probability < 1 && this.random() >= rule.probability) continue;
      rule.triggered += 1;
      if (rule.times !== undefined && rule.triggered >= rule.times) this.remove(rule.id);
      this.options.onTrigger?.({ ...rule });
      return rule;
    }
    return undefined;
  }

  /**
   * Before a step or an HTTP call: delay sleeps then lets it run; timeout holds it (default 30 s) then throws
   * InjectedTimeoutError; error throws InjectedFaultError. `signal` ends a hold early (an HTTP client's own timeout).
   */
  async beforeOperation(operation: string, signal?: AbortSignal): Promise<void> {
    const rule = this.fire(operation);
    if (!rule) return;
    switch (rule.effect) {
      case 'delay':
        await this.sleep(rule.delayMs ?? 0, signal);
        return;
      case 'timeout': {
        const held = rule.delayMs ?? DEFAULT_TIMEOUT_HOLD_MS;
        await this.sleep(held, signal);
        throw new InjectedTimeoutError(operation, rule.id, held);
      }
      case 'error':
        throw new InjectedFaultError(operation, rule.id);
      default:
        // Delivery effects are validated away for steps; nothing to do if one slipped through.
        return;
    }
  }

  /**
   * Wraps a message handler (the consumer operation). The handler commits its transaction before it resolves and
   * the adapter acknowledges after: so crash-after-commit dies exactly in the dual-write window, and duplicate
   * runs the handler twice with the same envelope, as a redelivery would.
   */
  wrapHandler<T>(operation: string, handle: (message: T) => Promise<void>): (message: T) => Promise<void> {
    return async (message) => {
      const rule = this.fire(operation);
      if (!rule) return handle(message);
      switch (rule.effect) {
        case 'error':
          throw new InjectedFaultError(operation, rule.id);
        case 'delay':
          await this.sleep(rule.delayMs ?? 0);
          return handle(message);
        case 'timeout': {
          const held = rule.delayMs ?? DEFAULT_TIMEOUT_HOLD_MS;
          await this.sleep(held);
          throw new InjectedTimeoutError(operation, rule.id, held);
        }
        case 'duplicate':
          await handle(message);
          return handle(message);
        case 'crash-after-commit':
          await handle(message);
          await (this.options.crash ?? killSelf)(operation);
          return;
      }
    };
  }
}

/**
 * The usual injector of a service: its operations, and a warning in its log each time a rule fires; `onTrigger`
 * (e.g. a metrics counter) runs after that warning, not instead of it.
 */
export function serviceFaults(
  service: string,
  operations: readonly OperationSpec[],
  logger: { warn(details: object, message: string): void },
  { onTrigger, ...options }: Pick<FaultInjectorOptions, 'crash' | 'random' | 'sleep' | 'enabled' | 'onTrigger'> = {},
): FaultInjector {
  return new FaultInjector({
    service,
    operations,
    onTrigger: (rule) => {
      logger.warn({ rule }, 'fault injected');
      onTrigger?.(rule);
    },
    ...options,
  });
}
