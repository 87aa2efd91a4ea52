// Public surface of @saga/auth: JWT settings, the verifier, the demo issuer and the express guards.
export { DEV_JWT_SECRET, defaultJwtSettings, jwtSettingsShape, keySourceOf } from './jwt-settings';
export type { JwtSettings, KeySource } from './jwt-settings';
export { InvalidTokenError, invalidToken, missingToken } from './invalid-token-error';
export { createTokenVerifier } from './token-verifier';
export type { Identity, TokenVerifier, TokenVerifierOptions } from './token-verifier';
export { checkCredentials, createTokenIssuer } from './token-issuer';
export type { DemoUser, TokenResponse } from './token-issuer';
export { authenticate, callerOf, canSee, identityOf, requireRole, routeGuards } from './route-guards';
export type { AuthenticateOptions, RouteGuards } from './route-guards';
