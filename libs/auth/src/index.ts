// Public surface of @saga/auth: JWT settings, signing keys, the verifier, the issuer and the express guards.
export { defaultJwtSettings, isLoopbackOrInClusterHost, jwtSettingsShape, keySourceOf } from './jwt-settings';
export type { JwtSettings, KeySource } from './jwt-settings';
export { generateSigningKeyPem, jwksOf, loadOrCreateSigningKey, signingKeyFromPem } from './signing-key';
export type { SigningKey } from './signing-key';
export { InvalidTokenError, invalidToken, missingToken } from './invalid-token-error';
export { createTokenVerifier } from './token-verifier';
export type { Identity, TokenVerifier, TokenVerifierOptions } from './token-verifier';
export { checkCredentials, createTokenIssuer } from './token-issuer';
export type { DemoUser, TokenResponse, TokenSigner } from './token-issuer';
export { authenticate, callerOf, canSee, identityOf, requireRole, routeGuards } from './route-guards';
export type { AuthenticateOptions, RouteGuards } from './route-guards';
