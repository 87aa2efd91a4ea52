// The "how to try it" lines that `npm start` and `npm run start:local` print: demo users and three curl calls.
export function tryItLines(api: string): string[] {
  return [
    'Demo users: alice / alice-secret and bob / bob-secret (customers), admin / admin-secret (admin).',
    '',
    'Try:',
    `  TOKEN=$(curl -s -X POST ${api}/auth/token -H 'content-type: application/json' -d '{"username":"alice","password":"alice-secret"}' | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')`,
    `  curl -s -X POST ${api}/api/orders -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"items":[{"sku":"SKU-APPLE","quantity":2}],"sagaMode":"choreography"}'`,
    `  curl -s ${api}/api/orders -H "authorization: Bearer $TOKEN"      # then /api/orders/<orderId> for the saga history`,
    '  (a declined card: add "paymentToken":"tok_chargeDeclined" and watch RELEASE_STOCK run before CANCEL_ORDER)',
  ];
}
