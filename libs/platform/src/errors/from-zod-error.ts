// Maps a zod validation failure to a 400/422 whose details say which field is wrong and why.
import type { z } from 'zod';
import { ValidationError } from './app-error';

export interface FieldIssue {
  /** Dotted path into the input, e.g. "items.0.quantity"; "" for the input itself. */
  path: string;
  message: string;
}

export function fromZodError(error: z.ZodError, status: 400 | 422 = 400): ValidationError {
  const details: FieldIssue[] = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  return new ValidationError('Request validation failed', { status, details, cause: error });
}
