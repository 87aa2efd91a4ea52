// The 401 a bad or missing Bearer token gets, carrying its WWW-Authenticate challenge (RFC 6750).
import { UnauthorizedError } from '@saga/platform';

const REALM = 'saga-api';
const quote = (s: string) => s.replace(/["\\]/g, '');

export class InvalidTokenError extends UnauthorizedError {
  constructor(
    readonly challenge: string,
    message: string,
    code: string,
  ) {
    super(message, { code });
  }
}

export const missingToken = () => new InvalidTokenError(`Bearer realm="${REALM}"`, 'Bearer token required', 'MISSING_TOKEN');

export const invalidToken = (description: string) =>
  new InvalidTokenError(`Bearer realm="${REALM}", error="invalid_token", error_description="${quote(description)}"`, description, 'INVALID_TOKEN');
