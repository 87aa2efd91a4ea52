// Express guards: who is calling (a verified token, never a header) and whether they hold a role.
import type { RequestHandler, Response } from 'express';
import { ForbiddenError } from '@saga/platform';
import { InvalidTokenError } from './invalid-token-error';
import type { Identity, TokenVerifier } from './token-verifier';

const identities = new WeakMap<object, Identity>();

/** The identity a request was authenticated as, or undefined before authentication ran. */
export function identityOf(res: Response): Identity | undefined {
  return identities.get(res);
}

/** The caller of a guarded route; a route without a guard calling this is a bug, so it throws. */
export function callerOf(res: Response): Identity {
  const identity = identities.get(res);
  if (!identity) throw new Error('callerOf() on a route without the signedIn guard');
  return identity;
}

export interface AuthenticateOptions {
  /** The gateway: drop every client-supplied X-User-* header and set X-User-Id / X-User-Roles from the token. */
  forwardIdentityHeaders?: boolean;
}

/** Verifies the Bearer token (401 with WWW-Authenticate otherwise) and records the caller for the route. */
export function authenticate(verify: TokenVerifier, options: AuthenticateOptions = {}): RequestHandler {
  return async (req, res, next) => {
    if (options.forwardIdentityHeaders) {
      for (const name of Object.keys(req.headers)) {
        if (name.startsWith('x-user-')) delete req.headers[name];
      }
    }
    let identity: Identity;
    try {
      identity = await verify(req.headers.authorization);
    } catch (err) {
      if (err instanceof InvalidTokenError) res.setHeader('WWW-Authenticate', err.challenge);
      throw err;
    }
    identities.set(res, identity);
    if (options.forwardIdentityHeaders) {
      req.headers['x-user-id'] = identity.sub;
      req.headers['x-user-roles'] = identity.roles.join(',');
    }
    next();
  };
}

/** 403 unless the authenticated caller holds the role; put after authenticate(). */
export function requireRole(role: string): RequestHandler {
  return (_req, res, next) => {
    if (!identities.get(res)?.roles.includes(role)) throw new ForbiddenError(`Role ${role} required`);
    next();
  };
}

export interface RouteGuards {
  /** Any valid token. */
  signedIn: RequestHandler;
  /** A valid token with role admin. */
  admin: RequestHandler[];
}

/** What each service's routes put in front of their handlers: health endpoints stay open, nothing else trusts a header. */
export function routeGuards(verify: TokenVerifier): RouteGuards {
  const signedIn = authenticate(verify);
  return { signedIn, admin: [signedIn, requireRole('admin')] };
}

/** A customer sees their own records; an admin sees everyone's. */
export const canSee = (caller: Identity, ownerId: string | null | undefined): boolean => caller.sub === ownerId || caller.roles.includes('admin');
