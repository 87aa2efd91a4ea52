// A database away for 12 s (Toxiproxy cuts every connection, as a restart does) is retried through: processed, not dead-lettered.
import { randomUUID } from 'node:crypto';
import { createEnvelope, type MessageEnvelope } from '@saga/contracts';
import { createPgClient, type SqlClient } from '@saga/db';
import { createTempDatabase, type TempDatabase } from '@saga/db/testing';
import { handleOnce, InMemoryCommandBus, isTransientInfrastructureError, migrateMessaging, type Subscription } from './index';
import { eventually } from './testing/eventually';

jest.setTimeout(90_000);

const toxiproxyUrl = process.env.TOXIPROXY_URL ?? 'http://127.0.0.1:8474';
const proxyName = `pg-outage-${randomUUID().slice(0, 8)}`;

async function toxiproxy(method: string, path: string, body?: unknown): Promise<{ listen?: string } | undefined> {
  const response = await fetch(`${toxiproxyUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!response.ok) throw new Error(`toxiproxy ${method} ${path}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return text ? (JSON.parse(text) as { listen?: string }) : undefined;
}

describe('delivery through a database outage', () => {
  let database: TempDatabase;
  let db: SqlClient;
  let listen: string;
  const bus = new InMemoryCommandBus();
  let subscription: Subscription | undefined;

  beforeAll(async () => {
    database = await createTempDatabase('delivery_outage');
    const upstream = new URL(database.url);
    listen = (await toxiproxy('POST', '/proxies', { name: proxyName, listen: '127.0.0.1:0', upstream: `${upstream.hostname}:${upstream.port || '5432'}`, enabled: true }))!.listen!;
    const viaProxy = new URL(database.url);
    [viaProxy.hostname, viaProxy.port] = listen.split(':') as [string, string];
    // The bounds a service runs with (boundedPgOptions), shortened: a cut connection fails fast instead of hanging.
    db = await createPgClient({ connectionString: viaProxy.toString(), applicationName: 'delivery-outage', connectionTimeoutMs: 1_000, statementTimeoutMs: 2_000, queryTimeoutMs: 3_000, onError: () => undefined });
    await migrateMessaging(db);
    await db.exec('CREATE TABLE effects (message_id text PRIMARY KEY)');
  });

  afterAll(async () => {
    await subscription?.close();
    await bus.close();
    await db?.close();
    await toxiproxy('DELETE', `/proxies/${proxyName}`).catch(() => undefined);
    await database?.drop();
  });

  it('keeps retrying with the transient budget until the database is back, then applies the effect once', async () => {
    const failures: unknown[] = [];
    subscription = await bus.consume({
      queue: 'outage.test',
      bindings: ['outage.test'],
      // The default policy: its 8 ordinary attempts are spent in at most 11.3 s of waiting, so only the transient
      // budget (31.9-63.8 s) rides out these 12 s.
      handle: async ({ envelope }) => {
        try {
          await handleOnce(db, 'outage-test', envelope, (tx) => tx.query('INSERT INTO effects (message_id) VALUES ($1)', [envelope.messageId]).then(() => undefined));
        } catch (error) {
          failures.push(error);
          throw error;
        }
      },
    });
    const message: MessageEnvelope = createEnvelope('Ping', 1, {}, { correlationId: 'outage' });

    await toxiproxy('POST', `/proxies/${proxyName}`, { enabled: false });
    await bus.send('outage.test', message);
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    await toxiproxy('POST', `/proxies/${proxyName}`, { enabled: true, listen });

    await eventually(async () => {
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM effects WHERE message_id = $1', [message.messageId]);
      expect(rows[0]!.n).toBe(1);
    }, 30_000);
    expect(failures.length).toBeGreaterThan(3);
    // Refused connections and dropped sessions, every one classified as the infrastructure being away.
    expect(failures.filter((error) => !isTransientInfrastructureError(error))).toEqual([]);
    expect(await bus.peekDeadLetters()).toEqual([]);
  });
});
