// The notification service's limits: T4's bounded window, the start-up check against consumer_timeout, the derived pool.
import { loadConfig } from '@saga/platform';
import { retryWindow, worstCaseDeliveryMs } from '@saga/messaging';
import { DEFAULT_CLAIM_LEASE_MS } from './app/notify.use-case';
import { checkNotificationDeliveryLimits, notificationPoolSize } from './delivery-limits';
import { configSchema } from './main';
import { notificationRetryPolicy } from './messaging/send-notification.command-handler';

const config = loadConfig(configSchema, { DATABASE_URL: 'postgres://saga:saga@localhost:5432/notification_db', RABBITMQ_URL: 'amqp://guest:guest@localhost:5672' });

describe('notification delivery limits', () => {
  it('retries a failing channel (its errors or a refused connection) 60.5-121 s, longer than a crashed holder keeps its claim', () => {
    expect(retryWindow(notificationRetryPolicy)).toEqual({ minMs: 60_500, maxMs: 121_000 });
    expect(notificationRetryPolicy.transient).toEqual({ maxAttempts: 9, initialDelayMs: 1_000, maxDelayMs: 30_000 });
    expect(retryWindow(notificationRetryPolicy).minMs).toBeGreaterThan(DEFAULT_CLAIM_LEASE_MS);
    expect(Number.isFinite(notificationRetryPolicy.maxAttempts)).toBe(true);
  });

  it('fits its worst case (497 s) under the default consumer_timeout, with and without a webhook', () => {
    expect(worstCaseDeliveryMs(notificationRetryPolicy)).toBe(17 * 15_000 + 2 * 121_000);
    expect(() => checkNotificationDeliveryLimits(config)).not.toThrow();
    expect(() => checkNotificationDeliveryLimits({ ...config, NOTIFICATION_WEBHOOK_URL: 'https://hooks.example.com/n' })).not.toThrow();
  });

  it('refuses to start when the broker would time the consumer out first, or a webhook timeout cannot fit an attempt', () => {
    expect(() => checkNotificationDeliveryLimits({ ...config, RABBITMQ_CONSUMER_TIMEOUT_MS: 300_000 })).toThrow(/RABBITMQ_CONSUMER_TIMEOUT_MS: notification\.commands may hold a message 497 s/);
    expect(() => checkNotificationDeliveryLimits({ ...config, NOTIFICATION_WEBHOOK_URL: 'https://hooks.example.com/n', NOTIFICATION_WEBHOOK_TIMEOUT_MS: 30_000 })).toThrow(/NOTIFICATION_WEBHOOK_TIMEOUT_MS 30 s = 40 s, more than its 15 s bound/);
  });

  it('sizes its pool from prefetch, the order-event partitions, the relay lanes and headroom', () => {
    expect(notificationPoolSize(config)).toEqual({ max: 21, parts: { rabbitmq: 10, kafka: 3, outbox: 3, background: 0, http: 5 } });
    expect(notificationPoolSize({ ...config, KAFKA_BROKERS: [] }).max).toBe(18);
  });
});
