// The environment the notification service accepts: defaults, the optional webhook, and fail-fast errors.
import { defaultJwtSettings } from '@saga/auth';
import { ConfigError, loadConfig } from '@saga/platform';
import { configSchema } from './main';

const required = { DATABASE_URL: 'postgres://saga:saga@localhost:5432/notification_db', RABBITMQ_URL: 'amqp://guest:guest@localhost:5672' };

describe('notification config', () => {
  it('defaults to port 3004, the local Kafka, the log channel and info logs', () => {
    expect(loadConfig(configSchema, required)).toEqual({
      ...required,
      PORT: 3004,
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      NOTIFICATION_WEBHOOK_TIMEOUT_MS: 5_000,
      LOG_LEVEL: 'info',
      // Delivery bounds: RabbitMQ's consumer_timeout (infra/rabbitmq/rabbitmq.conf) and the database waits of one attempt.
      RABBITMQ_CONSUMER_TIMEOUT_MS: 600_000,
      DB_CONNECT_TIMEOUT_MS: 5_000,
      DB_STATEMENT_TIMEOUT_MS: 5_000,
      DB_POOL_HTTP_HEADROOM: 5,
      // The fault API stays off unless the deployment turns it on.
      FAULTS_ENABLED: false,
      // The development JWT settings: the same defaults the gateway signs and verifies with.
      ...defaultJwtSettings(),
    });
  });

  it('turns the fault API on only when FAULTS_ENABLED says so', () => {
    expect(loadConfig(configSchema, { ...required, FAULTS_ENABLED: 'true' }).FAULTS_ENABLED).toBe(true);
  });

  it('takes a comma-separated list of Kafka brokers', () => {
    expect(loadConfig(configSchema, { ...required, KAFKA_BROKERS: 'k1:9092, k2:9092' }).KAFKA_BROKERS).toEqual(['k1:9092', 'k2:9092']);
  });

  it('takes a webhook URL and its timeout', () => {
    const config = loadConfig(configSchema, { ...required, NOTIFICATION_WEBHOOK_URL: 'https://hooks.example.com/n', NOTIFICATION_WEBHOOK_TIMEOUT_MS: '2s' });
    expect(config).toMatchObject({ NOTIFICATION_WEBHOOK_URL: 'https://hooks.example.com/n', NOTIFICATION_WEBHOOK_TIMEOUT_MS: 2_000 });
  });

  it('names every missing or invalid variable', () => {
    expect(() => loadConfig(configSchema, { NOTIFICATION_WEBHOOK_URL: 'ftp://x' })).toThrow(ConfigError);
    try {
      loadConfig(configSchema, { NOTIFICATION_WEBHOOK_URL: 'ftp://x' });
    } catch (err) {
      expect((err as ConfigError).problems.map((p) => p.variable)).toEqual(['DATABASE_URL', 'RABBITMQ_URL', 'NOTIFICATION_WEBHOOK_URL']);
    }
  });
});
