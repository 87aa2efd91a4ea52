// JSON logging with pino: `service` and an ISO time on every line, the active trace's ids, secrets redacted, correlation ids via child loggers.
import { activeTraceIds } from '@saga/tracing';
import { pino, type DestinationStream, type LevelWithSilent, type Logger } from 'pino';

export type { Logger } from 'pino';
export type LogLevel = LevelWithSilent;

export interface LoggerOptions {
  service: string;
  level?: LogLevel;
  /** Defaults to stdout; tests pass a stream that collects lines. */
  destination?: DestinationStream;
  /** Extra paths to redact, in pino's syntax (e.g. "*.cardNumber"). */
  redact?: string[];
}

/** Credentials that must never reach a log line, at the top level, one level down, or in headers. */
export const defaultRedactPaths = [
  'authorization',
  'cookie',
  'password',
  'secret',
  '*.authorization',
  '*.cookie',
  '*.password',
  '*.secret',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
];

export function createLogger({ service, level = 'info', destination, redact = [] }: LoggerOptions): Logger {
  const options = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Labels ("info") rather than numbers (30): readable without tooling, and what most log backends expect.
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: [...defaultRedactPaths, ...redact], censor: '[REDACTED]' },
    // traceId and spanId of the span active when the line is written: a line about an order leads to its trace.
    mixin: () => activeTraceIds(),
  };
  return destination ? pino(options, destination) : pino(options);
}

/** The ids that tie a log line to an order's journey across services (DESIGN §4.6). */
export interface CorrelationFields {
  orderId?: string;
  sagaId?: string;
  requestId?: string;
  traceId?: string;
}

/** A child logger that stamps the given correlation ids on every line; unset ids are left out. */
export function withCorrelation(logger: Logger, fields: CorrelationFields): Logger {
  const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  return logger.child(defined);
}
