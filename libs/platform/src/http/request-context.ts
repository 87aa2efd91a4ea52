// Per-request id and logger: taken from X-Request-Id (or generated), echoed back, stamped on every log line.
import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { withCorrelation, type Logger } from '../logging/create-logger';

export interface RequestContext {
  requestId: string;
  /** The service logger with this request's requestId. */
  log: Logger;
}

// Keyed by response object: no globals, no declaration merging into express' types.
const contexts = new WeakMap<Response, RequestContext>();
// Only short, plain ids are trusted: a client must not be able to inject log lines or huge headers.
const acceptableId = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestContextMiddleware(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && acceptableId.test(incoming) ? incoming : randomUUID();
    const context: RequestContext = { requestId, log: withCorrelation(logger, { requestId }) };
    contexts.set(res, context);
    res.setHeader('X-Request-Id', requestId);

    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const line = { method: req.method, path: req.path, status: res.statusCode, durationMs };
      // Probes hit every few seconds; at info they would drown the lines that matter.
      if (req.path.startsWith('/health/')) context.log.debug(line, 'request');
      else context.log.info(line, 'request');
    });
    next();
  };
}

/** The request's id and logger, for route handlers that log or call other services. */
export function requestContext(res: Response): RequestContext {
  const context = contexts.get(res);
  if (!context) throw new Error('requestContext() used on an app not built by createHttpApp');
  return context;
}
