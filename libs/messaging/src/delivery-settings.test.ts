// The services' RABBITMQ_CONSUMER_TIMEOUT_MS default is the broker's consumer_timeout, and database waits are all bounded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boundedPgOptions, DEFAULT_RABBITMQ_CONSUMER_TIMEOUT_MS, defaultDeliverySettings } from './delivery-settings';

describe('delivery settings', () => {
  it('default to the consumer_timeout infra/rabbitmq/rabbitmq.conf sets (compose and k8s mount that file)', () => {
    const conf = readFileSync(join(__dirname, '../../../infra/rabbitmq/rabbitmq.conf'), 'utf8');
    const match = /^consumer_timeout\s*=\s*(\d+)\s*$/m.exec(conf);
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBe(DEFAULT_RABBITMQ_CONSUMER_TIMEOUT_MS);
    expect(defaultDeliverySettings().RABBITMQ_CONSUMER_TIMEOUT_MS).toBe(DEFAULT_RABBITMQ_CONSUMER_TIMEOUT_MS);
  });

  it('bound every database wait: connecting, each statement on the server, each query on the client a little later', () => {
    expect(boundedPgOptions(defaultDeliverySettings())).toEqual({ connectionTimeoutMs: 5_000, statementTimeoutMs: 5_000, queryTimeoutMs: 6_000 });
  });
});
