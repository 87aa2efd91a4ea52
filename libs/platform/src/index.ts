// Public surface of @saga/platform: config, logging, errors, the HTTP bootstrap and graceful shutdown.
export { ConfigError, loadConfig } from './config/load-config';
export type { ConfigProblem, Env } from './config/load-config';
export { field } from './config/fields';

export { createLogger, defaultRedactPaths, withCorrelation } from './logging/create-logger';
export type { CorrelationFields, Logger, LoggerOptions, LogLevel } from './logging/create-logger';

export {
  AppError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnauthorizedError,
  UnprocessableEntityError,
  ValidationError,
} from './errors/app-error';
export type { AppErrorOptions, ErrorBody } from './errors/app-error';
export { fromZodError } from './errors/from-zod-error';
export type { FieldIssue } from './errors/from-zod-error';

export { createHttpApp } from './http/http-app';
export { toAppError } from './http/error-handler';
export { SAFE_TEXT_PATTERN, rejectUnsafeInput, textProblem } from './http/safe-input';
export type { HttpAppOptions } from './http/http-app';
export { createReadiness } from './http/readiness';
export type { CheckResult, CheckStatus, ReadinessCheck, ReadinessOptions, ReadinessReport } from './http/readiness';
export { requestContext } from './http/request-context';
export type { RequestContext } from './http/request-context';
export { startHttpServer } from './http/http-server';
export { processTraceSchema, traceAdminRoutes, type ProcessTrace } from './http/trace-routes';
export { breakerAdminRoutes, breakerView, breakerViewSchema, processBreakersSchema, type BreakerView, type ProcessBreakers } from './http/breaker-routes';
export type { HttpServerHandle, HttpServerOptions } from './http/http-server';

export { GracefulShutdown } from './lifecycle/graceful-shutdown';
export type { GracefulShutdownOptions, ShutdownHook, ShutdownResult } from './lifecycle/graceful-shutdown';
export { installShutdownSignals } from './lifecycle/shutdown-signals';
export type { ShutdownSignalOptions, SignalSource } from './lifecycle/shutdown-signals';
export { runProcess, type StartedProcess } from './lifecycle/run-process';
