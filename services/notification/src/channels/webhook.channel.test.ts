// The webhook channel against a real local HTTP server: what it posts, and when it counts as a failure.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sampleNotification } from '../testing/sample-notification';
import { WebhookChannel } from './webhook.channel';

interface Received {
  method?: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

describe('WebhookChannel', () => {
  let server: Server;
  let url: string;
  let respond: (res: ServerResponse) => void;
  const received: Received[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ method: req.method, headers: req.headers, body: JSON.parse(raw) });
        respond(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/notifications`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    received.length = 0;
  });

  it('posts the notification as JSON with an idempotency key per order and kind', async () => {
    respond = (res) => res.writeHead(204).end();
    await new WebhookChannel({ url }).send(sampleNotification({ kind: 'ORDER_CANCELLED', reason: 'DECLINED' }));
    expect(received).toHaveLength(1);
    expect(received[0]!.method).toBe('POST');
    expect(received[0]!.headers['content-type']).toBe('application/json');
    expect(received[0]!.headers['idempotency-key']).toBe('order-1:ORDER_CANCELLED');
    expect(received[0]!.body).toEqual({
      notificationId: '6f1c1a4e-8a39-4a39-9d43-0c8f2f1f0a11',
      orderId: 'order-1',
      sagaId: 'saga-1',
      customerId: 'customer-1',
      kind: 'ORDER_CANCELLED',
      subject: 'Your order order-1 is confirmed',
      body: 'Good news',
      reason: 'DECLINED',
    });
  });

  it('throws on a non-2xx answer, quoting the status', async () => {
    respond = (res) => res.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
    await expect(new WebhookChannel({ url }).send(sampleNotification())).rejects.toThrow('webhook answered 503: down for maintenance');
  });

  it('throws when the webhook does not answer in time', async () => {
    respond = () => undefined; // never answers
    const started = Date.now();
    await expect(new WebhookChannel({ url, timeoutMs: 100 }).send(sampleNotification())).rejects.toThrow('webhook did not answer within 100 ms');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('throws when nothing listens at the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(new WebhookChannel({ url: `http://127.0.0.1:${port}/` }).send(sampleNotification())).rejects.toThrow();
  });
});
