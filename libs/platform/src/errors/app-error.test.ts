// AppError family and fromZodError: the status, code and body a client receives.
import { z } from 'zod';
import {
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
} from './app-error';
import { fromZodError } from './from-zod-error';

describe('AppError family', () => {
  it.each([
    [new BadRequestError(), 400, 'BAD_REQUEST'],
    [new ValidationError(), 400, 'VALIDATION_FAILED'],
    [new ValidationError('bad', { status: 422 }), 422, 'VALIDATION_FAILED'],
    [new UnauthorizedError(), 401, 'UNAUTHORIZED'],
    [new ForbiddenError(), 403, 'FORBIDDEN'],
    [new NotFoundError(), 404, 'NOT_FOUND'],
    [new ConflictError(), 409, 'CONFLICT'],
    [new PayloadTooLargeError(), 413, 'PAYLOAD_TOO_LARGE'],
    [new UnprocessableEntityError(), 422, 'UNPROCESSABLE_ENTITY'],
    [new TooManyRequestsError(), 429, 'TOO_MANY_REQUESTS'],
    [new ServiceUnavailableError(), 503, 'SERVICE_UNAVAILABLE'],
  ])('%p has status %i and code %s', (error, status, code) => {
    expect(error).toBeInstanceOf(AppError);
    expect(error).toBeInstanceOf(Error);
    expect({ status: error.status, code: error.code }).toEqual({ status, code });
  });

  it('takes a specific code, details and cause, and renders the error body', () => {
    const cause = new Error('unique violation');
    const error = new ConflictError('Idempotency-Key reused with another body', {
      code: 'IDEMPOTENCY_KEY_REUSED',
      details: { key: 'k-1' },
      cause,
    });
    expect(error.name).toBe('ConflictError');
    expect(error.cause).toBe(cause);
    expect(error.toBody()).toEqual({
      error: { code: 'IDEMPOTENCY_KEY_REUSED', message: 'Idempotency-Key reused with another body', details: { key: 'k-1' } },
    });
    expect(new NotFoundError('Order o-1 not found').toBody()).toEqual({
      error: { code: 'NOT_FOUND', message: 'Order o-1 not found' },
    });
  });
});

describe('fromZodError', () => {
  const body = z.object({ customerId: z.string(), items: z.array(z.object({ sku: z.string(), quantity: z.number().int().positive() })) });

  it('lists each failing path with its message', () => {
    const result = body.safeParse({ items: [{ sku: 'A', quantity: 0 }] });
    if (result.success) throw new Error('expected a validation failure');
    const error = fromZodError(result.error);
    expect(error).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(error.details).toEqual([
      { path: 'customerId', message: expect.stringContaining('expected string') },
      { path: 'items.0.quantity', message: expect.stringContaining('>0') },
    ]);
  });

  it('can report 422 instead of 400', () => {
    const result = z.string().safeParse(1);
    if (result.success) throw new Error('expected a validation failure');
    expect(fromZodError(result.error, 422)).toMatchObject({ status: 422, details: [{ path: '' }] });
  });
});
