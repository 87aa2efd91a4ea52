// Jest: swc strips types (tsc -b checks them); "unit" needs nothing running, "integration" needs the real brokers of infra/local.
const swc = ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }];

const shared = {
  transform: { '^.+\\.(t|j)sx?$': swc, '^.+\\.[cm]js$': swc },
  // ESM-only packages (jose; http-proxy-middleware 4 with httpxy, published as .mjs, and is-plain-obj), and PGlite's
  // CommonJS build that still calls import() at start-up, which jest's sandbox refuses: swc turns them into plain
  // CommonJS, like our own code. (Jest's own require(esm) needs --experimental-vm-modules, so it is not used.)
  transformIgnorePatterns: ['/node_modules/(?!(jose|@electric-sql/pglite|http-proxy-middleware|httpxy|is-plain-obj)/)'],
  // Every workspace through its package's public entry (src/index.ts), never a relative path: first the services, the
  // gateway and the embedded platform, then the libraries (the last catch-all would take any @saga/<name>).
  moduleNameMapper: {
    '^@saga/([a-z-]+)-service$': '<rootDir>/services/$1/src/index.ts',
    '^@saga/gateway$': '<rootDir>/gateway/src/index.ts',
    '^@saga/gateway/testing$': '<rootDir>/gateway/src/testing/offline-gateway.ts',
    '^@saga/embedded-platform$': '<rootDir>/platform/embedded/src/index.ts',
    '^@saga/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    // Test helpers a library offers to other workspaces' tests.
    '^@saga/auth/testing$': '<rootDir>/libs/auth/src/testing/index.ts',
    '^@saga/db/testing$': '<rootDir>/libs/db/src/testing/index.ts',
    '^@saga/faults/testing$': '<rootDir>/libs/faults/src/testing/index.ts',
    '^@saga/metrics/testing$': '<rootDir>/libs/metrics/src/testing/index.ts',
    // The OpenTelemetry SDK, apart: only a process's entry point starts it, so no test pays for loading it.
    '^@saga/tracing/testing$': '<rootDir>/libs/tracing/src/testing/index.ts',
    '^@saga/tracing/start$': '<rootDir>/libs/tracing/src/start-tracing.ts',
  },
  // console/dist is the built console; console/src's tests cover its pure modules (the components run in Chromium:
  // test/browser/console.int.test.ts), so no browser code runs under jest's node environment.
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.local/'],
  testEnvironment: 'node',
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/**/*.test.ts'], testPathIgnorePatterns: [...shared.testPathIgnorePatterns, '\\.int\\.test\\.ts$', '\\.chaos\\.test\\.ts$', '\\.compose\\.test\\.ts$'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/**/*.int.test.ts'] },
    // Restarts and freezes the shared brokers: run alone (`--selectProjects chaos --runInBand`), after the others.
    { ...shared, displayName: 'chaos', testMatch: ['<rootDir>/test/chaos/**/*.chaos.test.ts'] },
    // Against a running `docker compose up` (npm run compose:check starts it and runs this project).
    { ...shared, displayName: 'compose', testMatch: ['<rootDir>/test/compose/**/*.compose.test.ts'] },
  ],
};
