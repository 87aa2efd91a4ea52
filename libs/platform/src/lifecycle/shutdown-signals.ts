// Wires SIGTERM/SIGINT to a GracefulShutdown and exits with its outcome; kept apart so the runner stays testable.
import type { Logger } from '../logging/create-logger';
import type { GracefulShutdown } from './graceful-shutdown';

/** What is needed of `process`; tests pass an EventEmitter. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export interface ShutdownSignalOptions {
  logger: Logger;
  signals?: NodeJS.Signals[];
  /** Default process.exit; exit code 0 only when every hook finished cleanly in time. */
  exit?: (code: number) => void;
  source?: SignalSource;
}

/** Returns a function that removes the handlers again. */
export function installShutdownSignals(
  shutdown: GracefulShutdown,
  { logger, signals = ['SIGTERM', 'SIGINT'], exit = (code) => process.exit(code), source = process }: ShutdownSignalOptions,
): () => void {
  const onSignal = (signal: NodeJS.Signals) => () => {
    // Listening with on() rather than once() also swallows a second Ctrl-C, which would
    // otherwise kill the process halfway through closing the database pool.
    if (shutdown.isShuttingDown()) {
      logger.warn({ signal }, 'already shutting down; signal ignored');
      return;
    }
    logger.info({ signal }, 'signal received');
    void shutdown.run(signal).then((result) => exit(result.ok ? 0 : 1));
  };
  const handlers = signals.map((signal) => ({ signal, handler: onSignal(signal) }));
  for (const { signal, handler } of handlers) source.on(signal, handler);
  return () => {
    for (const { signal, handler } of handlers) source.off(signal, handler);
  };
}
