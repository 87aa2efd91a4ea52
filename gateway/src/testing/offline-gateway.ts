// A gateway for tests that need only its own routes (contract, docs, JWKS): every upstream is an unroutable address.
import { loadGatewayConfig } from '../config';
import { createGatewayApp, type GatewayApp, type GatewayDeps } from '../gateway-app';

export function offlineGateway(deps: Pick<GatewayDeps, 'consoleDir'> = {}): GatewayApp {
  return createGatewayApp(
    loadGatewayConfig({
      ORDER_URL: 'http://127.0.0.1:9',
      INVENTORY_URL: 'http://127.0.0.1:9',
      PAYMENT_URL: 'http://127.0.0.1:9',
      NOTIFICATION_URL: 'http://127.0.0.1:9',
      JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
    }),
    deps,
  );
}
