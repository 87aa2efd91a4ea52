// Public surface of @saga/embedded-platform: every service and the payment provider in one process, on PGlite and the
// in-memory twins of the brokers and the registry. main.ts puts the gateway in front of it: that is `npm start`.
export { startEmbeddedPlatform } from './embedded-platform';
export type { EmbeddedOptions, EmbeddedPlatform } from './embedded-platform';
