// The one error handler: AppError (and zod / body-parser errors) to their status, anything else to a 500 that leaks nothing.
import type { ErrorRequestHandler, Response } from 'express';
import { z } from 'zod';
import { AppError, BadRequestError, PayloadTooLargeError } from '../errors/app-error';
import { fromZodError } from '../errors/from-zod-error';
import type { ErrorBody } from '../errors/app-error';
import type { Logger } from '../logging/create-logger';
import { requestContext } from './request-context';

/** body-parser rejects with http-errors carrying a `type` such as 'entity.too.large'. */
interface BodyParserError {
  type: string;
  status: number;
  message: string;
  limit?: number;
}

const isBodyParserError = (err: unknown): err is BodyParserError =>
  typeof err === 'object' && err !== null && typeof (err as { type?: unknown }).type === 'string' &&
  typeof (err as { status?: unknown }).status === 'number';

/** Known failures become AppErrors; unknown ones return undefined and become a 500. */
export function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof z.ZodError) return fromZodError(err);
  if (isBodyParserError(err) && err.status >= 400 && err.status < 500) {
    if (err.type === 'entity.too.large') {
      return new PayloadTooLargeError(`Request body exceeds the limit of ${err.limit ?? '?'} bytes`);
    }
    if (err.type === 'entity.parse.failed') return new BadRequestError('Malformed JSON in request body', { code: 'MALFORMED_JSON' });
    const code = err.status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST';
    return new AppError(err.status, code, err.message);
  }
  return undefined;
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
