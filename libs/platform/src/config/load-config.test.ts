// loadConfig and the field helpers: what a service sees at start-up for good and bad environments.
import { z } from 'zod';
import { field } from './fields';
import { ConfigError, loadConfig } from './load-config';

const schema = z.object({
  PORT: field.port().default(3000),
  DATABASE_URL: field.url({ protocols: ['postgres', 'postgresql'] }),
  KAFKA_BROKERS: field.list(),
  OUTBOX_POLL_MS: field.durationMs().default(1000),
  FAULTS_ENABLED: field.boolean().default(false),
  LOG_LEVEL: field.logLevel().default('info'),
});

const valid = { DATABASE_URL: 'postgres://app:secret@localhost:5432/orders', KAFKA_BROKERS: 'localhost:9092' };

function problemsOf(env: Record<string, string | undefined>) {
  try {
    loadConfig(schema, env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('parses and converts a valid environment, applying defaults', () => {
    expect(loadConfig(schema, valid)).toEqual({
      PORT: 3000,
      DATABASE_URL: 'postgres://app:secret@localhost:5432/orders',
      KAFKA_BROKERS: ['localhost:9092'],
      OUTBOX_POLL_MS: 1000,
      FAULTS_ENABLED: false,
      LOG_LEVEL: 'info',
    });
  });

  it('lists every missing and invalid variable in one readable error', () => {
    const error = problemsOf({ PORT: 'eighty', FAULTS_ENABLED: 'yes' });
    expect(error.message).toBe(
      [
        'Invalid configuration:',
        '  - PORT: expected a port number (0-65535)',
        '  - DATABASE_URL: Required',
        '  - KAFKA_BROKERS: Required',
        '  - FAULTS_ENABLED: expected true, false, 1 or 0',
      ].join('\n'),
    );
    expect(error.problems.map((p) => p.variable)).toEqual(['PORT', 'DATABASE_URL', 'KAFKA_BROKERS', 'FAULTS_ENABLED']);
  });

  it('never echoes values, which may be secrets', () => {
    const error = problemsOf({ ...valid, DATABASE_URL: 'mysql://app:hunter2@db/orders' });
    expect(error.message).toContain('DATABASE_URL: expected a URL (postgres, postgresql)');
    expect(error.message).not.toContain('hunter2');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(schema, { ...valid, PORT: '' }).PORT).toBe(3000);
    expect(problemsOf({ ...valid, KAFKA_BROKERS: '' }).message).toContain('KAFKA_BROKERS: Required');
  });

  it('reads process.env by default', () => {
    process.env.SAGA_TEST_ONLY_VAR = '42';
    try {
      expect(loadConfig(z.object({ SAGA_TEST_ONLY_VAR: field.port() }))).toEqual({ SAGA_TEST_ONLY_VAR: 42 });
    } finally {
      delete process.env.SAGA_TEST_ONLY_VAR;
    }
  });
});

describe('field helpers', () => {
  const parse = <T>(schema: z.ZodType<T>, value: string) => schema.safeParse(value);

  it('port accepts 0..65535 only', () => {
    expect(parse(field.port(), ' 8080 ').data).toBe(8080);
    expect(parse(field.port(), '0').data).toBe(0);
    expect(parse(field.port(), '65536').success).toBe(false);
    expect(parse(field.port(), '-1').success).toBe(false);
    expect(parse(field.port(), '80.5').success).toBe(false);
  });

  it('url needs a host and, if given, one of the schemes', () => {
    expect(parse(field.url(), 'amqp://guest:guest@localhost:5672').success).toBe(true);
    expect(parse(field.url(), 'localhost:9092').success).toBe(false);
    expect(parse(field.url(), 'not a url').success).toBe(false);
    expect(parse(field.url({ protocols: ['http', 'https'] }), 'ftp://host').success).toBe(false);
  });

  it('list splits on commas, trims and drops empty items', () => {
    expect(parse(field.list(), ' a:1, b:2 ,,c ').data).toEqual(['a:1', 'b:2', 'c']);
    expect(parse(field.list(), ' , ').success).toBe(false);
  });

  it('durationMs understands ms, s, m, h and bare milliseconds', () => {
    const ms = (v: string) => parse(field.durationMs(), v).data;
    expect([ms('250'), ms('250ms'), ms('30s'), ms('1.5s'), ms('5m'), ms('1h')]).toEqual([
      250, 250, 30_000, 1500, 300_000, 3_600_000,
    ]);
    expect(parse(field.durationMs(), '5 minutes').success).toBe(false);
    expect(parse(field.durationMs(), '-5s').success).toBe(false);
  });

  it('boolean is strict about its spelling', () => {
    const b = (v: string) => parse(field.boolean(), v);
    expect([b('true').data, b('TRUE').data, b('1').data, b('false').data, b('0').data]).toEqual([
      true, true, true, false, false,
    ]);
    expect(b('yes').success).toBe(false);
    expect(b('').success).toBe(false);
  });
});
