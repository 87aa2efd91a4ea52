// The payment service as deployed (main.ts wiring): real PostgreSQL, real RabbitMQ, the provider over HTTP. Happy path.
import { adminBearer, serveTestJwks, testJwtSettings, type TestJwksServer } from '@saga/auth/testing';
import { randomUUID } from 'node:crypto';
import { queues, routingKeys, type MessageEnvelope } from '@saga/contracts';
import { createPgClient, type SqlClient } from '@saga/db';
import { defaultDeliverySettings, RabbitMqCommandBus } from '@saga/messaging';
import { start } from './main';
import { chargeCommand, refundCommand, startProvider, waitFor } from './testing/payment-harness';

jest.setTimeout(60_000);

const run = `payment_it_${randomUUID().slice(0, 8)}`;
const adminUrl = process.env.PAYMENT_IT_ADMIN_DATABASE_URL ?? 'postgres://saga:saga@127.0.0.1:5432/postgres';
const rabbitUrl = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const managementUrl = process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';

/** URL with its database (pg) or vhost (amqp) replaced. */
const withPath = (url: string, path: string) => Object.assign(new URL(url), { pathname: `/${encodeURIComponent(path)}` }).toString();

/** RabbitMQ's management API: a private vhost per run, so the fixed queue names never meet another run's consumers. */
async function management(method: 'PUT' | 'DELETE', path: string, body?: object): Promise<void> {
  const base = new URL(managementUrl);
  const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64');
  const response = await fetch(`${base.origin}/api/${path}`, {
    method,
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok && response.status !== 404) throw new Error(`RabbitMQ management ${method} ${path}: ${response.status}`);
}

let admin: SqlClient;
let provider: Awaited<ReturnType<typeof startProvider>>;
let testBus: RabbitMqCommandBus;
let service: Awaited<ReturnType<typeof start>>;
// The service verifies adminBearer()'s tokens through this test process's JWKS, as it would through the gateway's.
let jwks: TestJwksServer;
const replies: MessageEnvelope[] = [];

beforeAll(async () => {
  admin = await createPgClient({ connectionString: adminUrl, applicationName: 'payment-int-test' });
  await admin.exec(`CREATE DATABASE ${run}`);
  const user = new URL(rabbitUrl).username || 'guest';
  await management('PUT', `vhosts/${run}`);
  await management('PUT', `permissions/${run}/${encodeURIComponent(decodeURIComponent(user))}`, { configure: '.*', write: '.*', read: '.*' });
  provider = await startProvider();

  jwks = await serveTestJwks();
  service = await start({
    ...testJwtSettings(),
    JWT_JWKS_URL: jwks.url,
    ...defaultDeliverySettings(),
    PORT: 0,
    DATABASE_URL: withPath(adminUrl, run),
    RABBITMQ_URL: withPath(rabbitUrl, run),
    // No Kafka here: topics and consumer groups are fixed names, and joining 'payment-service' would take partitions
    // (and their events) from a platform the e2e suite may be running at the same time. The event side is covered by
    // payment-events.test.ts (in-memory event log) and the e2e suite.
    KAFKA_BROKERS: [],
    PAYMENT_PROVIDER_URL: provider.url,
    PROVIDER_TIMEOUT_MS: 2_000,
    OUTBOX_POLL_MS: 200,
    RECONCILE_INTERVAL_MS: 0,
    RECONCILE_GRACE_MS: 0,
    LOG_LEVEL: 'silent',
    FAULTS_ENABLED: false,
  });
  // The orchestrator's side: sends commands, reads replies.
  testBus = await RabbitMqCommandBus.connect({ url: withPath(rabbitUrl, run), connectionName: 'payment-int-test' });
  await testBus.consume({ queue: queues.orderSagaReplies, bindings: [routingKeys.sagaReply], handle: async ({ envelope }) => void replies.push(envelope) });
});

afterAll(async () => {
  await testBus?.close();
  await service?.shutdown.run('test done');
  await provider?.stop();
  await jwks?.close();
  await management('DELETE', `vhosts/${run}`).catch(() => undefined);
  await admin?.exec(`DROP DATABASE IF EXISTS ${run} WITH (FORCE)`);
  await admin?.close();
});

it('charges over RabbitMQ, replies through the outbox, then refunds', async () => {
  const orderId = `order-${run}`;
  await testBus.send(routingKeys.charge, chargeCommand(orderId, { amountCents: 2500 }));
  const [completed] = await waitFor(() => {
    const mine = replies.filter((reply) => reply.correlationId === orderId);
    expect(mine).toHaveLength(1);
    return mine;
  }, 20_000);
  expect(completed).toMatchObject({ type: 'PaymentCompleted', payload: { orderId, amountCents: 2500 } });

  const view = (await (await fetch(`http://127.0.0.1:${service.port}/payments?orderId=${orderId}`, { headers: { authorization: adminBearer() } })).json()) as { items: unknown[] };
  expect(view.items).toEqual([expect.objectContaining({ orderId, status: 'CHARGED', amountCents: 2500 })]);

  await testBus.send(routingKeys.refund, refundCommand(orderId));
  await waitFor(() => expect(replies.filter((reply) => reply.correlationId === orderId).map((r) => r.type)).toEqual(['PaymentCompleted', 'PaymentRefunded']), 20_000);
  const refunded = replies.find((reply) => reply.type === 'PaymentRefunded')!;
  expect(refunded.payload).toMatchObject({ orderId, amountCents: 2500 });
  expect(await testBus.peekDeadLetters()).toEqual([]);
});
