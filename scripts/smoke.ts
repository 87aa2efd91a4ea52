// `npm run smoke -- <gateway url>`: proves a running deployment (compose, k8s, start:local) end to end in ~5 s: one order
// approved and one declined card compensated, in each saga mode. Exit code 0 only if all four end as expected.
// SMOKE_USER / SMOKE_PASSWORD: who places the orders (default alice, the demo user of the local modes; compose and k8s
// have no demo users: use admin and the password the gateway generated, see README).
const api = (process.argv[2] ?? 'http://localhost:8080').replace(/\/$/, '');
const user = process.env.SMOKE_USER ?? 'alice';
const password = process.env.SMOKE_PASSWORD ?? 'alice-secret';
const TIMEOUT_MS = 30_000;

async function call(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function finalStatus(token: string, orderId: string): Promise<string> {
  const deadline = Date.now() + TIMEOUT_MS;
  let status = 'PENDING';
  while (Date.now() < deadline) {
    status = String((await call('GET', `/api/orders/${orderId}`, token)).body.status);
    if (status !== 'PENDING') return status;
    await new Promise((done) => setTimeout(done, 250));
  }
  return `${status} after ${TIMEOUT_MS / 1000} s`;
}

async function main(): Promise<void> {
  const login = await call('POST', '/auth/token', undefined, { username: user, password });
  const token = login.body.access_token;
  if (login.status !== 200 || typeof token !== 'string') throw new Error(`POST /auth/token answered ${login.status} ${JSON.stringify(login.body)}`);
  let failed = 0;
  for (const sagaMode of ['orchestration', 'choreography']) {
    for (const [card, expected] of [[undefined, 'APPROVED'], ['tok_chargeDeclined', 'CANCELLED']] as const) {
      const placed = await call('POST', '/api/orders', token, { items: [{ sku: 'SKU-APPLE', quantity: 1 }], sagaMode, ...(card ? { paymentToken: card } : {}) });
      const orderId = String(placed.body.orderId);
      const status = placed.status === 201 || placed.status === 202 ? await finalStatus(token, orderId) : `HTTP ${placed.status} ${JSON.stringify(placed.body)}`;
      const ok = status === expected;
      if (!ok) failed++;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${sagaMode.padEnd(13)} ${card ? 'declined card' : 'good card    '} -> ${status}${ok ? '' : ` (expected ${expected})`}  ${orderId}`);
    }
  }
  if (failed > 0) throw new Error(`${failed} of 4 orders did not end as expected`);
  console.log(`smoke: ${api} approves and compensates orders in both saga modes`);
}

main().catch((error: unknown) => {
  console.error(`smoke: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
