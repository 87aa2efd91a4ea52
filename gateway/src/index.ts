// Public surface of @saga/gateway: the gateway's app and the settings it starts from (what main.ts and the embedded
// platform compose), the "how to try it" banner lines, and the OpenAPI document of the public API.
export { loadGatewayConfig } from './config';
export { loadGatewayCredentials } from './gateway-credentials';
export { createGatewayApp } from './gateway-app';
export type { GatewayApp } from './gateway-app';
export { consoleLine, tryItLines } from './try-it';
export { buildOpenApi } from './openapi/build-openapi';
