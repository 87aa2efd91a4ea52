// What a client of the platform does: log in at the gateway, then call /api with the Bearer token.
import { request } from 'node:http';
export interface GatewayAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export async function gatewayCall<T = unknown>(
  gatewayUrl: string,
  method: string,
  path: string,
  options: { authorization?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<GatewayAnswer<T>> {
  const response = await fetch(`${gatewayUrl}${path}`, {
    method,
    headers: {
      ...(options.authorization ? { authorization: options.authorization } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text for the assertion message
  }
  return { status: response.status, headers: response.headers, body: body as T };
}

/** POST /auth/token with a demo user's credentials; "Bearer <token>" for the Authorization header. */
export async function login(gatewayUrl: string, username: string, password: string): Promise<string> {
  const answer = await gatewayCall<{ access_token: string; token_type: string }>(gatewayUrl, 'POST', '/auth/token', { body: { username, password } });
  if (answer.status !== 200) throw new Error(`login as ${username} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return `${answer.body.token_type} ${answer.body.access_token}`;
}

/** Polls GET /api/orders/:id until the order is APPROVED or CANCELLED (at most 4 requests a second: under any sane limit). */
export async function waitForFinalOrder(gatewayUrl: string, authorization: string, orderId: string, timeoutMs: number): Promise<{ status: string; sagaMode: string; [key: string]: unknown }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await gatewayCall<{ status: string; sagaMode: string }>(gatewayUrl, 'GET', `/api/orders/${orderId}`, { authorization });
    if (answer.status === 200 && (answer.body.status === 'APPROVED' || answer.body.status === 'CANCELLED')) return answer.body;
    if (Date.now() > deadline) throw new Error(`order ${orderId} not final within ${timeoutMs} ms; last answer ${answer.status} ${JSON.stringify(answer.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * POST /auth/token from a given loopback source address (127.x.y.z all reach 127.0.0.1 on Linux): a client the
 * per-IP limiter has never seen, so a test's count starts at zero whatever ran before it.
 */
export function loginAttemptFrom(gatewayUrl: string, localAddress: string, body: object): Promise<number> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(`${gatewayUrl}/auth/token`, { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }, timeout: 15_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end(payload);
  });
}
