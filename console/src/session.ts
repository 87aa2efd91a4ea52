// The signed-in user: the gateway's access token, kept in sessionStorage (this tab only), with its subject and roles.
export interface Session {
  token: string;
  username: string;
  roles: string[];
  /** Epoch ms after which the token is refused: the console signs out then. */
  expiresAt: number;
}

const KEY = 'saga-console.session';

/** The JWT's claims, read (not verified: the gateway verifies every call) to show who is signed in. */
export function sessionFromToken(token: string, expiresInSeconds: number): Session {
  const payload = token.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
  const claims = JSON.parse(json) as { sub?: string; roles?: string[]; exp?: number };
  const expiresAt = claims.exp ? claims.exp * 1000 : Date.now() + expiresInSeconds * 1000;
  return { token, username: claims.sub ?? 'unknown', roles: claims.roles ?? [], expiresAt };
}

export function loadSession(): Session | undefined {
  try {
    const stored = sessionStorage.getItem(KEY);
    const session = stored ? (JSON.parse(stored) as Session) : undefined;
    if (session && session.expiresAt > Date.now()) return session;
  } catch {
    // unreadable: start signed out
  }
  sessionStorage.removeItem(KEY);
  return undefined;
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

export const isAdmin = (session: Session | undefined): boolean => session?.roles.includes('admin') ?? false;
