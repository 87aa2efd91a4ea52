// The tail of every service's main.ts: start, wire SIGTERM/SIGINT to the graceful shutdown, or exit 1 with the reason.
import type { Logger } from '../logging/create-logger';
import type { GracefulShutdown } from './graceful-shutdown';
import { installShutdownSignals } from './shutdown-signals';

export interface StartedProcess {
  shutdown: GracefulShutdown;
  logger: Logger;
}

export function runProcess(start: () => Promise<StartedProcess>): void {
  start()
    .then(({ shutdown, logger }) => {
      installShutdownSignals(shutdown, { logger });
    })
    .catch((err: unknown) => {
      // Mostly configuration errors, which list every bad variable: printed plainly, they are meant for a human.
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
