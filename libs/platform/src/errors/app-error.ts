// Expected failures with an HTTP status and a stable code; the one error handler turns them into responses.

export interface AppErrorOptions {
  /** Overrides the default code, e.g. IDEMPOTENCY_KEY_REUSED for a 409. */
  code?: string;
  /** Safe to send to the client: it ends up in the response body. */
  details?: unknown;
  cause?: unknown;
}

/** The body of every error response: `{ error: { code, message, details? } }`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** An error whose message and details are meant for the caller (unlike anything else thrown, which becomes a 500). */
export class AppError extends Error {
  readonly details?: unknown;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: Omit<AppErrorOptions, 'code'> = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options.details !== undefined) this.details = options.details;
  }

  toBody(): ErrorBody {
    const { code, message, details } = this;
    return { error: details === undefined ? { code, message } : { code, message, details } };
  }
}

export class BadRequestError extends AppError {
  constructor(message = 'Bad request', { code = 'BAD_REQUEST', ...rest }: AppErrorOptions = {}) {
    super(400, code, message, rest);
  }
}

/** Input failed validation: 400 by default, 422 when the request is well-formed but semantically invalid. */
export class ValidationError extends AppError {
  constructor(
    message = 'Validation failed',
    { code = 'VALIDATION_FAILED', status = 400, ...rest }: AppErrorOptions & { status?: 400 | 422 } = {},
  ) {
    super(status, code, message, rest);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Authentication required', { code = 'UNAUTHORIZED', ...rest }: AppErrorOptions = {}) {
    super(401, code, message, rest);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Forbidden', { code = 'FORBIDDEN', ...rest }: AppErrorOptions = {}) {
    super(403, code, message, rest);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found', { code = 'NOT_FOUND', ...rest }: AppErrorOptions = {}) {
    super(404, code, message, rest);
  }
}

export class ConflictError extends AppError {
  constructor(message = 'Conflict', { code = 'CONFLICT', ...rest }: AppErrorOptions = {}) {
    super(409, code, message, rest);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message = 'Request body too large', { code = 'PAYLOAD_TOO_LARGE', ...rest }: AppErrorOptions = {}) {
    super(413, code, message, rest);
  }
}

export class UnprocessableEntityError extends AppError {
  constructor(message = 'Unprocessable entity', { code = 'UNPROCESSABLE_ENTITY', ...rest }: AppErrorOptions = {}) {
    super(422, code, message, rest);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(message = 'Too many requests', { code = 'TOO_MANY_REQUESTS', ...rest }: AppErrorOptions = {}) {
    super(429, code, message, rest);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message = 'Service unavailable', { code = 'SERVICE_UNAVAILABLE', ...rest }: AppErrorOptions = {}) {
    super(503, code, message, rest);
  }
}
