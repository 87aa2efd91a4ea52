// For this workspace's tests: the embedded platform in the test process, on in-memory PGlite databases, every service on
// a free loopback port and accepting the tokens of @saga/auth/testing. A test overrides what it reads (logger, metrics…).
import { testTokenVerifier } from '@saga/auth/testing';
import { createLogger } from '@saga/platform';
import { startEmbeddedPlatform, type EmbeddedOptions, type EmbeddedPlatform } from '../embedded-platform';

export function startTestPlatform(options: Partial<EmbeddedOptions> = {}): Promise<EmbeddedPlatform> {
  return startEmbeddedPlatform({
    host: '127.0.0.1',
    ports: { order: 0, inventory: 0, payment: 0, notification: 0, provider: 0 },
    logger: createLogger({ service: 'embedded-test', level: 'silent' }),
    stepTimeoutMs: 10_000,
    defaultSagaMode: 'orchestration',
    verifyToken: testTokenVerifier(),
    ...options,
  });
}
