// The "how to try it" lines that `npm start` and `npm run start:local` print: the console first, then demo users and
// three curl calls. Without the demo users (DEMO_USERS_ENABLED=false) the only account is admin, with the configured password.

/** The first line of every banner: the saga console, served by the gateway at /. */
export function consoleLine(api: string, demoUsers = true): string {
  return `Saga console: ${api}/  (open it in a browser; ${demoUsers ? 'sign in as alice, bob or admin' : 'sign in as admin'})`;
}

export function tryItLines(api: string, demoUsers = true): string[] {
  const login = demoUsers ? '{"username":"alice","password":"alice-secret"}' : '{"username":"admin","password":"\'"$ADMIN_PASSWORD"\'"}';
  return [
    demoUsers
      ? 'Demo users: alice / alice-secret and bob / bob-secret (customers), admin / admin-secret (admin).'
      : 'Demo users are off: log in as admin with ADMIN_PASSWORD (or the password in ADMIN_PASSWORD_FILE, printed once when generated).',
    '',
    'Try:',
    `  TOKEN=$(curl -s -X POST ${api}/auth/token -H 'content-type: application/json' -d '${login}' | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')`,
    `  curl -s -X POST ${api}/api/orders -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"items":[{"sku":"SKU-APPLE","quantity":2}],"sagaMode":"choreography"}'`,
    `  curl -s ${api}/api/orders -H "authorization: Bearer $TOKEN"      # then /api/orders/<orderId> for the saga history`,
    '  (a declined card: add "paymentToken":"tok_chargeDeclined" and watch RELEASE_STOCK run before CANCEL_ORDER)',
  ];
}
