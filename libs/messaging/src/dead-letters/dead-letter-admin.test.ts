// /admin/dead-letters over the in-memory twins and a real inbox (PGlite): listing, re-drive, and re-driving twice.
import { createEnvelope, type MessageEnvelope } from '@saga/contracts';
import type { SqlClient } from '@saga/db';
import { createHttpApp, createLogger, ForbiddenError } from '@saga/platform';
import type { RequestHandler } from 'express';
import request from 'supertest';
import { InMemoryCommandBus } from '../in-memory/in-memory-command-bus';
import { InMemoryEventLog } from '../in-memory/in-memory-event-log';
import { handleOnce } from '../inbox/idempotent-inbox';
import { migratedPglite } from '../outbox/testing/outbox-fixtures';
import type { CommandBus } from '../ports/command-bus.port';
import { eventually } from '../testing/eventually';
import { createDeadLetterAdmin, type DeadLetterView } from './dead-letter-admin';
import { deadLetterAdminRoutes, deadLetterAlreadyRedrivenSchema, deadLetterListingSchema, deadLetterRedrivenSchema } from './dead-letter-admin.routes';

jest.setTimeout(30_000);

const queue = { queue: 'stock.commands', bindings: ['stock.reserve'] };
const otherQueue = { queue: 'money.commands', bindings: ['money.charge'] };
const group = 'stock-service';
const retry = { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 2 };
// Stands in for routeGuards(...).admin: the routes only need to be given the guards.
const adminOnly: RequestHandler[] = [(req, _res, next) => next(req.get('x-admin') === 'yes' ? undefined : new ForbiddenError('Role admin required'))];

let db: SqlClient;
let bus: InMemoryCommandBus;
let log: InMemoryEventLog;
/** What the handlers' effects did, committed through the inbox: one entry per message id applied. */
let applied: string[];
let mode: 'broken' | 'fails-after-commit' | 'healthy';

beforeAll(async () => {
  db = await migratedPglite();
});
afterAll(() => db.close());
beforeEach(async () => {
  bus = new InMemoryCommandBus();
  log = new InMemoryEventLog();
  applied = [];
  mode = 'broken';
  // One handler for both brokers, as in the services: the effect commits with its dedup record (handleOnce).
  const handle = async (envelope: MessageEnvelope) => {
    if (mode === 'broken') throw new Error('database unavailable');
    await handleOnce(db, 'stock', envelope, async () => { applied.push(envelope.messageId); });
    if (mode === 'fails-after-commit') throw new Error('lost the ack after commit');
  };
  await bus.consume({ ...queue, retry, handle: (command) => handle(command.envelope) });
  await bus.consume({ ...otherQueue, retry, handle: () => Promise.reject(new Error('not ours')) });
  await log.subscribe({ groupId: group, topics: ['stock.events'], fromBeginning: true, retry, handle: (event) => handle(event.envelope) });
});
afterEach(async () => {
  await bus.close();
  await log.close();
});

const appOver = (commandBus: CommandBus) => {
  const admin = createDeadLetterAdmin({ service: 'stock', commandBus, queues: [queue.queue], eventLog: log, groups: [group] });
  return createHttpApp({ service: 'stock', logger: createLogger({ service: 'stock', level: 'silent' }), readiness: async () => ({ status: 'ready', checks: {} }), routes: deadLetterAdminRoutes(admin, adminOnly) });
};
const asAdmin = (req: request.Test) => req.set('x-admin', 'yes');
const listed = async (app: ReturnType<typeof appOver>, query = '') => {
  const res = await asAdmin(request(app).get(`/admin/dead-letters${query}`)).expect(200);
  // Every listing a test reads is held to the documented schema (both brokers, redriven or not, a broker unavailable).
  expect(deadLetterListingSchema.parse(res.body)).toEqual(res.body);
  return res.body as { items: DeadLetterView[]; counts: Record<string, number>; unavailable?: Record<string, string> };
};

/** One command and one event dead-lettered after two failed attempts each. */
async function deadLetterBoth(): Promise<{ command: MessageEnvelope; event: MessageEnvelope }> {
  const command = createEnvelope('ReserveStock', 1, { sku: 'A' }, { correlationId: 'order-c' });
  const event = createEnvelope('OrderCreated', 1, { sku: 'B' }, { correlationId: 'order-e' });
  await bus.send('stock.reserve', command, { replyTo: 'replies' });
  await log.publish('stock.events', [{ key: 'order-e', envelope: event }]);
  await bus.send('money.charge', createEnvelope('Charge', 1, {}, { correlationId: 'order-m' }));
  await eventually(async () => expect((await bus.peekDeadLetters()).length + (await log.deadLetters(group)).length).toBe(3));
  return { command, event };
}

it('lists its dead letters from both brokers, with what an operator needs, and not the other services\' ones', async () => {
  const app = appOver(bus);
  const { command, event } = await deadLetterBoth();
  const { items, counts } = await listed(app);
  expect(counts).toEqual({ 'dead-lettered': 2, redriven: 0 });
  const reason = 'HANDLER_FAILED after 2 attempts: database unavailable';
  expect(items).toEqual(expect.arrayContaining([
    expect.objectContaining({ id: expect.stringMatching(/^stock:rabbitmq:[0-9a-f-]{36}$/), service: 'stock', broker: 'rabbitmq', source: 'stock.commands', messageId: command.messageId, type: 'ReserveStock', orderId: 'order-c', reason, attempts: 2, state: 'dead-lettered', deadLetteredAt: expect.any(String) }),
    expect.objectContaining({ id: 'stock:kafka:stock-service.dlt:0:0', broker: 'kafka', source: 'stock.events', messageId: event.messageId, type: 'OrderCreated', orderId: 'order-e', reason, attempts: 2, state: 'dead-lettered' }),
  ]));
  expect(items).toHaveLength(2);
});

it('re-drives each through the inbox once; re-driving again changes nothing', async () => {
  const app = appOver(bus);
  const { command, event } = await deadLetterBoth();
  mode = 'healthy';
  for (const { id } of (await listed(app)).items) {
    const redriven = (await asAdmin(request(app).post(`/admin/dead-letters/${id}/redrive`)).expect(202, { id, outcome: 'redriven' })).body;
    expect(deadLetterRedrivenSchema.parse(redriven)).toEqual(redriven);
  }
  await eventually(() => expect(applied.sort()).toEqual([command.messageId, event.messageId].sort()));
  const after = await listed(app);
  // RabbitMQ's letter left the queue; Kafka's stays in its log, marked.
  expect(after.items).toEqual([expect.objectContaining({ broker: 'kafka', state: 'redriven', redrivenAt: expect.any(String) })]);
  const again = (await asAdmin(request(app).post(`/admin/dead-letters/${after.items[0]!.id}/redrive`)).expect(200, { id: after.items[0]!.id, outcome: 'already-redriven' })).body;
  expect(deadLetterAlreadyRedrivenSchema.parse(again)).toEqual(again);
  expect((await listed(app, '?state=dead-lettered')).items).toEqual([]);
  expect(applied).toHaveLength(2);
});

it('a letter whose effect did commit (the ack was lost) is re-driven harmlessly: the inbox drops it', async () => {
  const app = appOver(bus);
  mode = 'fails-after-commit';
  await deadLetterBoth();
  expect(applied).toHaveLength(2);
  mode = 'healthy';
  for (const { id } of (await listed(app)).items) await asAdmin(request(app).post(`/admin/dead-letters/${id}/redrive`)).expect(202);
  await eventually(async () => expect((await listed(app, '?state=dead-lettered')).items).toEqual([]));
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(applied).toHaveLength(2);
});

it('answers 400 for what is not an id, 404 for an unknown or another service\'s one, always as JSON errors', async () => {
  const app = appOver(bus);
  await deadLetterBoth();
  const rabbitId = (await listed(app)).items.find((item) => item.broker === 'rabbitmq')!.id;
  const foreign = (await bus.peekDeadLetters()).find((letter) => letter.source === otherQueue.queue)!;
  const cases: [string, number, string][] = [
    ['nonsense', 400, 'INVALID_DEAD_LETTER_ID'],
    ['stock:smtp:1', 400, 'INVALID_DEAD_LETTER_ID'],
    ['stock:kafka:stock-service.dlt:0:99', 404, 'DEAD_LETTER_NOT_FOUND'],
    ['stock:kafka:money-service.dlt:0:0', 404, 'DEAD_LETTER_NOT_FOUND'],
    [`money:rabbitmq:${foreign.id}`, 404, 'DEAD_LETTER_NOT_FOUND'],
    // Another service's letter in the shared queue, under this service's name: still not ours to send back.
    [`stock:rabbitmq:${foreign.id}`, 404, 'DEAD_LETTER_NOT_FOUND'],
    [rabbitId.replace(/.$/, (c) => (c === '0' ? '1' : '0')), 404, 'DEAD_LETTER_NOT_FOUND'],
  ];
  for (const [id, status, code] of cases) {
    const res = await asAdmin(request(app).post(`/admin/dead-letters/${encodeURIComponent(id)}/redrive`)).expect(status);
    expect(res.body).toEqual({ error: { code, message: expect.any(String) } });
  }
  await asAdmin(request(app).get('/admin/dead-letters?state=lost')).expect(400);
  await request(app).get('/admin/dead-letters').expect(403);
});

it('lists what one broker has when the other cannot be read, and answers 503 (not 500) to a re-drive there', async () => {
  const brokenBus: CommandBus = Object.assign(Object.create(bus) as CommandBus, {
    peekDeadLetters: () => Promise.reject(new Error('connection refused')),
    redriveDeadLetter: () => Promise.reject(new Error('connection refused')),
  });
  const app = appOver(brokenBus);
  await deadLetterBoth();
  const listing = await listed(app);
  expect(listing.unavailable).toEqual({ rabbitmq: 'connection refused' });
  expect(listing.items.map((item) => item.broker)).toEqual(['kafka']);
  const res = await asAdmin(request(app).post('/admin/dead-letters/stock:rabbitmq:00000000-0000-4000-8000-000000000000/redrive')).expect(503);
  expect(res.body.error.code).toBe('BROKER_UNAVAILABLE');
});
