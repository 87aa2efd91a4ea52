// The environment the provider accepts: its database is required, the admin routes are off unless asked for.
import { ConfigError, loadConfig } from '@saga/platform';
import { configSchema } from './main';

const required = { DATABASE_URL: 'postgres://saga:saga@localhost:5432/provider_db' };

describe('payment provider config', () => {
  it('defaults to port 4010, no latency, no outage, no admin routes', () => {
    expect(loadConfig(configSchema, required)).toEqual({
      ...required,
      PORT: 4010,
      PROVIDER_DECLINE_ABOVE_CENTS: 100_000,
      PROVIDER_LATENCY_MS: 0,
      PROVIDER_UNAVAILABLE: false,
      PROVIDER_ADMIN_ENABLED: false,
      LOG_LEVEL: 'info',
    });
  });

  it('turns the admin routes on with PROVIDER_ADMIN_ENABLED=true', () => {
    expect(loadConfig(configSchema, { ...required, PROVIDER_ADMIN_ENABLED: 'true' }).PROVIDER_ADMIN_ENABLED).toBe(true);
  });

  it('refuses to start without a PostgreSQL DATABASE_URL, naming every bad variable', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(configSchema, env);
        return [];
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).problems.map((p) => p.variable);
      }
    };
    expect(problems({})).toEqual(['DATABASE_URL']);
    expect(problems({ DATABASE_URL: 'mysql://x/y', PROVIDER_ADMIN_ENABLED: 'yes' })).toEqual(['DATABASE_URL', 'PROVIDER_ADMIN_ENABLED']);
  });
});
