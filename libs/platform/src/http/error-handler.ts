// The one error handler: AppError (and zod / any 4xx http-error) to their status, anything else to a 500 that leaks nothing.
import type { ErrorRequestHandler, Response } from 'express';
import { z } from 'zod';
import { AppError, BadRequestError, PayloadTooLargeError } from '../errors/app-error';
import { fromZodError } from '../errors/from-zod-error';
import type { ErrorBody } from '../errors/app-error';
import type { Logger } from '../logging/create-logger';
import { requestContext } from './request-context';

/** http-errors (body-parser, raw-body, the router's param decoding) carry a numeric `status`, often a `type`. */
interface HttpStatusError {
  type?: string;
  message?: unknown;
  expose?: boolean;
  limit?: number;
}

/** The 4xx an error carries (`status` or `statusCode`), if any. */
function clientStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, statusCode } = err as { status?: unknown; statusCode?: unknown };
  const value = typeof status === 'number' ? status : statusCode;
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value < 500 ? value : undefined;
}

/** Codes for the body-parser / raw-body failures a client can cause; anything else is named after its status. */
const codeByType: Record<string, string> = {
  'entity.parse.failed': 'MALFORMED_JSON',
  'encoding.unsupported': 'UNSUPPORTED_CONTENT_ENCODING',
  'charset.unsupported': 'UNSUPPORTED_CHARSET',
  'request.aborted': 'REQUEST_ABORTED',
  'request.size.invalid': 'BAD_CONTENT_LENGTH',
  'stream.encoding.set': 'BAD_REQUEST',
};
const codeByStatus: Record<number, string> = { 400: 'BAD_REQUEST', 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE' };
const messageByType: Record<string, string> = {
  'entity.parse.failed': 'Malformed JSON in request body',
  'encoding.unsupported': 'Unsupported Content-Encoding',
  'charset.unsupported': 'Unsupported charset',
};

/**
 * Known failures become AppErrors; unknown ones return undefined and become a 500. Any error carrying a 4xx status
 * (a body that is not the gzip it claims to be, a malformed percent-escape in a path parameter…) is that 4xx: the
 * client caused it. Its own message is used only when http-errors marks it safe to expose, and never the raw text of
 * a zlib or URI error.
 */
export function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof z.ZodError) return fromZodError(err);
  const status = clientStatusOf(err);
  if (status === undefined) return undefined;
  const { type, expose, limit, message: own } = err as HttpStatusError;
  if (status === 413) return new PayloadTooLargeError(`Request body exceeds the limit of ${limit ?? '?'} bytes`);
  if (type === 'entity.parse.failed') return new BadRequestError('Malformed JSON in request body', { code: 'MALFORMED_JSON' });
  const code = (type && codeByType[type]) ?? codeByStatus[status] ?? 'BAD_REQUEST';
  const fromType = type ? messageByType[type] : undefined;
  // Only a typed http-error's own message is shown (never a zlib or URI error's text), and only printable ASCII.
  const safe = expose === true && type !== undefined && typeof own === 'string' && /^[\x20-\x7e]{1,200}$/.test(own);
  const message = fromType ?? (safe ? own : status === 400 ? 'Malformed request' : `Request rejected (${status})`);
  return new AppError(status, code, message);
}

const internalError: ErrorBody = { error: { code: 'INTERNAL', message: 'Internal server error' } };

function loggerFor(res: Response, fallback: Logger): Logger {
  try {
    return requestContext(res).log;
  } catch {
    return fallback;
  }
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    // Too late to send a body: let express end the connection.
    if (res.headersSent) return next(err);
    const log = loggerFor(res, logger);
    const appError = toAppError(err);
    if (appError) {
      if (appError.status >= 500) log.warn({ err: appError }, appError.message);
      else log.debug({ code: appError.code, status: appError.status }, appError.message);
      res.status(appError.status).json(appError.toBody());
      return;
    }
    log.error({ err, method: req.method, path: req.path }, 'unhandled error');
    res.status(500).json(internalError);
  };
}
