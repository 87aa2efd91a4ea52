// Options of the outbox relay, with the defaults that are not plain numbers.
import type { SqlClient } from '@saga/db';
import type { CommandBus } from '../ports/command-bus.port';
import type { EventLog } from '../ports/event-log.port';

export interface OutboxRelayOptions {
  db: SqlClient;
  /** Needed if any 'command' rows are enqueued. */
  commandBus?: CommandBus;
  /** Needed if any 'event' rows are enqueued. */
  eventLog?: EventLog;
  /** Rows claimed per transaction; default 100. */
  batchSize?: number;
  /** Safety-net polling (a NOTIFY is lost while the LISTEN connection reconnects); default 1000. */
  pollIntervalMs?: number;
  /** Published rows older than this are deleted; default 1 hour. */
  retainPublishedMs?: number;
  /** Dedup records (processed_messages) older than this are deleted; default 7 days. */
  retainProcessedMs?: number;
  /** Wait after a failed publish, doubling per consecutive failure up to retryMaxDelayMs; defaults 250 and 30000. */
  retryInitialDelayMs?: number;
  retryMaxDelayMs?: number;
  /**
   * Who this relay is, for the lanes' lease: a process restarted as the same instance (same host and port) takes its
   * lanes back at once instead of waiting for its dead predecessor's lease. Default: unique to this process.
   */
  instanceId?: string;
  /** How long a relay's hold on a lane lasts without renewal (another instance takes over after it); default 15000. */
  laneLeaseMs?: number;
  /** Refusals of a row's own (unroutable…) before it is parked; default 5. */
  maxRefusals?: number;
  /** The service whose outbox this is: its producer spans say so (several services may share one process). */
  service?: string;
  /** Defaults to console.error for 'error' and 'warn'. */
  log?: (level: 'error' | 'warn' | 'info', message: string, extra: Record<string, unknown>) => void;
}

export const defaultLog: NonNullable<OutboxRelayOptions['log']> = (level, message, extra) => {
  if (level !== 'info') console.error(`[outbox-relay] ${level}: ${message}`, extra);
};

/**
 * The relay's instance id for a process listening on `port` of this host: the same after a restart, distinct from any
 * other live process (no two can listen on one host:port). Port 0 (a test's random port) has no stable identity.
 */
export function relayInstanceId(hostname: string, port: number): string | undefined {
  return port === 0 ? undefined : `${hostname}:${port}`;
}
