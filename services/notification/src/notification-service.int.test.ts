// Integration: the real composition root (main.ts start) on a fresh PostgreSQL database and the real RabbitMQ, webhook channel included.
import { adminBearer, serveTestJwks, type TestJwksServer } from '@saga/auth/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'amqplib';
import { routingKeys, SendNotification } from '@saga/contracts';
import { RabbitMqCommandBus, type ConsumedCommand } from '@saga/messaging';
import { createLogger } from '@saga/platform';
import { configSchema, start, type RunningNotificationService } from './main';
import { eventually } from './testing/eventually';
import { createTempDatabase, type TempDatabase } from '@saga/db/testing';

jest.setTimeout(60_000);

const rabbitUrl = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
// A database and a reply queue of its own per run: runs never see each other's rows or replies.
const replyQueue = `notification-it.replies.${randomBytes(4).toString('hex')}`;

describe('notification service on PostgreSQL and RabbitMQ', () => {
  let database: TempDatabase;
  let webhook: Server;
  let webhookUrl: string;
  const posted: unknown[] = [];
  let running: RunningNotificationService | undefined;
  let jwks: TestJwksServer | undefined;
  let sender: RabbitMqCommandBus;
  const replies: ConsumedCommand[] = [];

  beforeAll(async () => {
    database = await createTempDatabase('notification_it');
    webhook = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      req.on('end', () => {
        posted.push(JSON.parse(raw));
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/notify`;
    sender = await RabbitMqCommandBus.connect({ url: rabbitUrl, connectionName: 'notification-it' });
    await sender.consume({ queue: replyQueue, bindings: [replyQueue], handle: async (reply) => void replies.push(reply) });
  });

  afterAll(async () => {
    await running?.shutdown.run('test done');
    await jwks?.close();
    await sender?.close();
    await new Promise((resolve) => webhook?.close(resolve));
    await deleteQueue(replyQueue);
    await database?.drop();
  });

  it('notifies through the webhook, records it, and replies over RabbitMQ', async () => {
    const config = {
      // Tokens are checked against the test key set, served the way the gateway serves its own.
      ...configSchema.parse({ PORT: '0', DATABASE_URL: database.url, RABBITMQ_URL: rabbitUrl, NOTIFICATION_WEBHOOK_URL: webhookUrl, LOG_LEVEL: 'warn', JWT_JWKS_URL: (jwks = await serveTestJwks()).url }),
      // No Kafka here: topics and consumer groups are fixed names, and joining 'notification-service' would take partitions
      // (and their events) from a platform the e2e suite may be running at the same time; old OrderApproved events on the
      // real topic would also reach this test's webhook. The event side is covered with the in-memory event log and by e2e.
      KAFKA_BROKERS: [],
    };
    running = await start(config, createLogger({ service: 'notification', level: 'warn' }));

    const orderId = `order-${randomUUID()}`;
    const command = SendNotification.create(
      { orderId, sagaId: orderId, customerId: 'customer-1', kind: 'ORDER_CANCELLED', reason: 'DECLINED' },
      { correlationId: orderId },
    );
    await sender.send(routingKeys.notify, command, { replyTo: replyQueue });

    const reply = await eventually(() => {
      const found = replies.find((r) => (r.envelope.payload as { orderId: string }).orderId === orderId);
      expect(found).toBeDefined();
      return found!;
    }, 20_000);
    expect(reply.envelope).toMatchObject({ type: 'NotificationSent', causationId: command.messageId, payload: { orderId, kind: 'ORDER_CANCELLED' } });
    expect(posted).toEqual([expect.objectContaining({ orderId, kind: 'ORDER_CANCELLED', reason: 'DECLINED' })]);

    const response = await fetch(`http://127.0.0.1:${running.port}/notifications?orderId=${orderId}`, { headers: { authorization: adminBearer() } });
    expect(response.status).toBe(200);
    const { items } = (await response.json()) as { items: Record<string, unknown>[] };
    expect(items).toEqual([
      expect.objectContaining({
        notificationId: (reply.envelope.payload as { notificationId: string }).notificationId,
        channel: 'webhook',
        status: 'SENT',
        attempts: 1,
      }),
    ]);
    const ready = await fetch(`http://127.0.0.1:${running.port}/health/ready`);
    expect(ready.status).toBe(200);
  });
});

async function deleteQueue(queue: string): Promise<void> {
  const connection = await connect(rabbitUrl);
  const channel = await connection.createChannel();
  await channel.deleteQueue(queue);
  await connection.close();
}
