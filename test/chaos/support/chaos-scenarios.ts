// The named chaos scenarios: what each breaks (a process, a broker, a network link, a fault rule) and how it heals.
// The chaos suite runs them all; `npm run chaos -- <name>` runs one and prints its figures.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { adminBearer } from '@saga/auth/testing';
import { ChargePayment, routingKeys } from '@saga/contracts';
import type { ToxiproxyProxy } from '@saga/faults';
import { RabbitMqCommandBus } from '@saga/messaging';
import { Client } from 'pg';
import { closeChannelsFromBroker, consumerChannels } from '../../../libs/messaging/src/testing/rabbitmq-broker-side';
import { defaultEndpoints } from '../../e2e/support/infra-admin';
import type { Platform, ServiceName } from '../../e2e/support/platform-processes';
import type { ChaosFigures } from './chaos-invariants';

const run = promisify(execFile);
const repoRoot = resolve(__dirname, '../../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ChaosContext {
  platform: Platform;
  /** Each service's link to RabbitMQ, through Toxiproxy: cut it or slow it down. */
  rabbitLinks: Partial<Record<ServiceName, ToxiproxyProxy>>;
  log(message: string): void;
}

export interface ChaosScenario {
  name: string;
  description: string;
  /** Breaks something; orders keep coming meanwhile. */
  inject(ctx: ChaosContext): Promise<void>;
  /** Undoes it (a broker restart heals itself: its heal only waits for it). */
  heal(ctx: ChaosContext): Promise<void>;
  /** How long the fault lasts at least (the workload keeps running through it). Default 3 s. */
  holdMs?: number;
  /** How long after healing every order must be final; default 60 s. */
  boundMs?: number;
  /** What the figures must show for the scenario to have broken what it names (else it proved nothing). */
  exercised?: { what: string; check(figures: ChaosFigures): boolean };
}

/** The services with a database and a broker connection (the provider is only HTTP). */
export const brokerClients: ServiceName[] = ['order', 'inventory', 'payment', 'notification'];

async function infra(...args: string[]): Promise<void> {
  await run('bash', [resolve(repoRoot, 'infra/local/infra.sh'), ...args], { cwd: repoRoot, timeout: 180_000 });
}

async function faultRule(platform: Platform, service: ServiceName, rule: object): Promise<void> {
  const response = await fetch(`${platform.urls[service]}/admin/faults`, {
    method: 'POST',
    headers: { authorization: adminBearer(), 'content-type': 'application/json' },
    body: JSON.stringify(rule),
    signal: AbortSignal.timeout(5_000),
  });
  if (response.status !== 201) throw new Error(`POST ${service} /admin/faults ${JSON.stringify(rule)} answered ${response.status}: ${await response.text()}`);
}

async function clearFaults(platform: Platform, service: ServiceName): Promise<void> {
  await fetch(`${platform.urls[service]}/admin/faults`, { method: 'DELETE', headers: { authorization: adminBearer() }, signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
}

const killAndRestart = (service: ServiceName): ChaosScenario => ({
  name: `${service}-crash-mid-saga`,
  description: `SIGKILL the ${service} service while orders are in flight, restart it a few seconds later`,
  inject: ({ platform }) => platform.kill(service, 'SIGKILL'),
  heal: ({ platform }) => platform.restart(service),
});

/** Restarts any of these that died (a crash-after-commit rule kills its own process), until stopped. */
function reviveWhileRunning(ctx: ChaosContext, services: ServiceName[]): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const service of services) {
        if (running && !ctx.platform.isRunning(service)) {
          ctx.log(`${service} died (crash after commit): restarting it`);
          await ctx.platform.restart(service);
        }
      }
      await sleep(200);
    }
  })();
  return async () => {
    running = false;
    await loop;
    for (const service of services) if (!ctx.platform.isRunning(service)) await ctx.platform.restart(service);
  };
}

let stopReviving: (() => Promise<void>) | undefined;
let poisonOrderId: string | undefined;
let removeLatency: (() => Promise<void>) | undefined;

/**
 * A ChargePayment sent straight to payment's queue, asking for its reply on a routing key no queue is bound to: the
 * reply is unroutable, so payment's outbox must park it after a few refusals and let every other reply flow. A
 * declined card: no money moves for this order that the order service never heard of.
 */
async function sendChargeWithUnroutableReply(platform: Platform): Promise<string> {
  const bus = await RabbitMqCommandBus.connect({ url: platform.rabbitUrl, connectionName: 'chaos-poison-reply' });
  try {
    const orderId = randomUUID();
    const command = ChargePayment.create(
      { orderId, sagaId: orderId, customerId: 'chaos-poison', amountCents: 100, currency: 'EUR', paymentToken: 'tok_chargeDeclined' },
      { correlationId: orderId },
    );
    await bus.send(routingKeys.charge, command, { replyTo: POISON_REPLY_KEY });
    return orderId;
  } finally {
    await bus.close();
  }
}

const POISON_REPLY_KEY = 'chaos.nowhere.reply';

/** Heals poison-reply the way an operator would: give the reply somewhere to go, then re-drive the parked row. */
async function redriveParkedReply(ctx: ChaosContext, orderId: string): Promise<void> {
  const { platform } = ctx;
  const admin = { authorization: adminBearer() };
  const listed = await waitForParked(platform, orderId);
  const bus = await RabbitMqCommandBus.connect({ url: platform.rabbitUrl, connectionName: 'chaos-poison-heal' });
  try {
    await bus.ensureQueue({ queue: 'chaos-nowhere', bindings: [POISON_REPLY_KEY] });
    const response = await fetch(`${platform.urls.payment}/admin/outbox/${listed}/redrive`, { method: 'POST', headers: admin, signal: AbortSignal.timeout(5_000) });
    if (response.status !== 202) throw new Error(`redrive answered ${response.status}: ${await response.text()}`);
    ctx.log(`parked reply (outbox row ${listed}) re-driven to a queue that now exists`);
    // Consumed here, so no message is left in a work queue afterwards.
    const got: string[] = [];
    const subscription = await bus.consume({ queue: 'chaos-nowhere', bindings: [POISON_REPLY_KEY], handle: async ({ envelope }) => void got.push(envelope.correlationId) });
    const deadline = Date.now() + 15_000;
    while (!got.includes(orderId) && Date.now() < deadline) await sleep(100);
    await subscription.close();
    if (!got.includes(orderId)) throw new Error('the re-driven reply never arrived');
  } finally {
    await bus.close();
  }
}

async function waitForParked(platform: Platform, orderId: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await fetch(`${platform.urls.payment}/admin/outbox?state=parked`, { headers: { authorization: adminBearer() }, signal: AbortSignal.timeout(5_000) });
    const body = (await response.json()) as { items: { id: string; orderId: string }[] };
    const row = body.items.find((item) => item.orderId === orderId);
    if (row) return row.id;
    if (Date.now() > deadline) throw new Error(`payment never parked the unroutable reply for ${orderId}`);
    await sleep(250);
  }
}

/** The simulated provider's latency, changed at run time (its test-only /admin/latency route). */
async function providerLatency(platform: Platform, latencyMs: number): Promise<void> {
  const response = await fetch(`${platform.urls.provider}/admin/latency`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ latencyMs }),
    signal: AbortSignal.timeout(5_000),
  });
  if (response.status !== 200) throw new Error(`POST provider /admin/latency answered ${response.status}: ${await response.text()}`);
}

/**
 * The issue-11 window, repeated: the provider is down, so a ChargePayment is answered PROVIDER_UNAVAILABLE (the saga
 * cancels without a refund); payment dies right after committing that answer, before the ack (crash-after-commit on
 * its RabbitMQ command consumer); the provider comes back, then payment, and the same ChargePayment is redelivered to
 * a healthy provider. It must take no money. Fault rules live in the process: armed again each round.
 */
function chargeRedeliveredAfterUnavailable(ctx: ChaosContext, rounds: number): () => Promise<void> {
  let running = true;
  const { platform } = ctx;
  const loop = (async () => {
    for (let round = 1; running && round <= rounds; round += 1) {
      await platform.kill('provider', 'SIGKILL');
      await faultRule(platform, 'payment', { operation: 'commands', effect: 'crash-after-commit', times: 1 });
      const deadline = Date.now() + 10_000;
      while (platform.isRunning('payment') && Date.now() < deadline) await sleep(50);
      await platform.restart('provider');
      if (platform.isRunning('payment')) {
        ctx.log(`round ${round}: no command reached payment in 10 s`);
        await clearFaults(platform, 'payment');
        continue;
      }
      ctx.log(`round ${round}: payment died after committing a refused charge; provider back, restarting payment`);
      await platform.restart('payment');
    }
  })();
  return async () => {
    running = false;
    await loop;
    if (!platform.isRunning('provider')) await platform.restart('provider');
    if (!platform.isRunning('payment')) await platform.restart('payment');
    await clearFaults(platform, 'payment');
  };
}

/** What consumer-channel-killed broke: the channels the broker closed, and the queues whose consumers must come back. */
let killedChannels: { channels: string[]; consumerTags: string[]; queues: string[]; closed: number; recovered: boolean } | undefined;

/** The broker closes every consumer channel of the run (each service keeps its connection): a channel-level failure. */
async function killConsumerChannels(ctx: ChaosContext): Promise<void> {
  const { managementUrl, rabbitUrl } = defaultEndpoints();
  const before = await consumerChannels(managementUrl, ctx.platform.vhost, { amqpUrl: rabbitUrl });
  const channels = [...new Set(before.map((c) => c.channel))];
  const closed = await closeChannelsFromBroker(channels);
  killedChannels = { channels, consumerTags: before.map((c) => c.consumerTag), queues: [...new Set(before.map((c) => c.queue))].sort(), closed, recovered: false };
  ctx.log(`the broker closed ${closed} of ${channels.length} consumer channels (queues ${killedChannels.queues.join(', ')})`);
}

/** Nothing is restarted here: the consumers must be back by themselves, on new channels, and every service ready. */
async function awaitConsumersBack(ctx: ChaosContext): Promise<void> {
  const killed = killedChannels;
  if (!killed) throw new Error('consumer-channel-killed: nothing was injected');
  const { managementUrl, rabbitUrl } = defaultEndpoints();
  const deadline = Date.now() + 30_000;
  for (;;) {
    const now = await consumerChannels(managementUrl, ctx.platform.vhost, { amqpUrl: rabbitUrl });
    const queues = [...new Set(now.map((c) => c.queue))].sort();
    // A new channel may reuse the old one's number (and so its name): the consumer tag tells a rebuilt consumer apart.
    const stale = now.filter((c) => killed.consumerTags.includes(c.consumerTag));
    if (JSON.stringify(queues) === JSON.stringify(killed.queues) && stale.length === 0) break;
    if (Date.now() > deadline) throw new Error(`consumers not back 30 s after their channels closed: queues consumed ${queues.join(', ')}, expected ${killed.queues.join(', ')}`);
    await sleep(250);
  }
  for (const service of brokerClients) {
    const ready = await fetch(`${ctx.platform.urls[service]}/health/ready`, { signal: AbortSignal.timeout(5_000) });
    if (ready.status !== 200) throw new Error(`${service} is not ready after its consumers came back: ${ready.status}`);
  }
  killed.recovered = true;
  ctx.log('every consumer is back on a new channel of its own connection');
}

/**
 * participant-silent: how long payment's Kafka consumer holds each event while the rule is on, and how long it is on.
 * The hold stays below any per-attempt bound of the consumer (a slow participant, never a failed delivery), yet while
 * a handler sleeps kafkajs fetches nothing more for the group member: payment answers a handful of events in the
 * 40 s, and every order placed meanwhile passes the order service's choreography deadline (30 s by default) well
 * before payment wakes up.
 */
const SILENT_HOLD_PER_EVENT_MS = 10_000;
const SILENT_FOR_MS = 40_000;

/** events-reordered: how late the order service handles each of payment's events while the rule is on. */
const PAYMENT_EVENTS_LATE_MS = 3_000;

let reorderedSince: Date | undefined;
let reorderedOrders = 0;

/**
 * How many choreographed orders the order service settled from StockReleased *before* their PaymentFailed since
 * `since`, read from its own records: the inbox of its choreography consumer ('order.events', when each event was
 * handled) joined to the timeline (which event that was).
 */
async function countReorderedOrders(platform: Platform, since: Date): Promise<number> {
  const client = new Client({ connectionString: platform.databaseUrl('order') });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (
         SELECT t.order_id FROM processed_messages p JOIN order_timeline t ON t.message_id::text = p.message_id
          WHERE p.consumer = 'order.events' AND p.processed_at >= $1 AND t.type IN ('StockReleased', 'PaymentFailed')
          GROUP BY t.order_id
         HAVING min(p.processed_at) FILTER (WHERE t.type = 'StockReleased') < min(p.processed_at) FILTER (WHERE t.type = 'PaymentFailed')
       ) reordered`,
      [since],
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

/** Heals events-reordered once a reordering has been seen (or 20 s have passed): the proof is taken before the fix. */
async function waitForReordering(ctx: ChaosContext, since: Date): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const seen = await countReorderedOrders(ctx.platform, since);
    if (seen > 0 || Date.now() > deadline) {
      ctx.log(`${seen} declined order(s) saw StockReleased before PaymentFailed`);
      return seen;
    }
    await sleep(500);
  }
}

export const chaosScenarios: ChaosScenario[] = [
  {
    name: 'payment-down',
    description: 'the card provider dies: charges fail fast through the open breaker (orders cancelled, stock released), then it comes back',
    inject: ({ platform }) => platform.kill('provider', 'SIGKILL'),
    heal: ({ platform }) => platform.restart('provider'),
  },
  killAndRestart('order'),
  killAndRestart('inventory'),
  killAndRestart('payment'),
  killAndRestart('notification'),
  {
    name: 'crash-after-commit',
    description: 'inventory, payment and notification each die once right after committing a message, before acking it (the dual-write window)',
    inject: async (ctx) => {
      for (const service of ['inventory', 'payment', 'notification'] as const) await faultRule(ctx.platform, service, { operation: 'consumer', effect: 'crash-after-commit', times: 1 });
      stopReviving = reviveWhileRunning(ctx, ['inventory', 'payment', 'notification']);
    },
    heal: async (ctx) => {
      await stopReviving?.();
      for (const service of brokerClients) await clearFaults(ctx.platform, service);
    },
    holdMs: 5_000,
  },
  {
    name: 'duplicate-delivery',
    description: 'every consumer gets half of its messages twice',
    inject: async ({ platform }) => {
      for (const service of brokerClients) await faultRule(platform, service, { operation: 'consumer', effect: 'duplicate', probability: 0.5 });
    },
    heal: async ({ platform }) => {
      for (const service of brokerClients) await clearFaults(platform, service);
    },
  },
  {
    name: 'inventory-slow',
    description: "inventory's link to RabbitMQ gets 400 ms (±100 ms) of latency",
    inject: async ({ rabbitLinks }) => {
      removeLatency = await rabbitLinks.inventory!.slowDown(400, 100);
    },
    heal: async () => {
      await removeLatency?.();
    },
  },
  {
    name: 'payment-partition',
    description: 'the network between the payment service and RabbitMQ is cut, then restored',
    inject: ({ rabbitLinks }) => rabbitLinks.payment!.cut(),
    heal: ({ rabbitLinks }) => rabbitLinks.payment!.restore(),
    holdMs: 5_000,
  },
  {
    name: 'rabbitmq-restart',
    description: 'RabbitMQ is stopped and started again (durable quorum queues, clients reconnect)',
    inject: () => infra('restart', 'rabbitmq'),
    heal: async () => undefined,
    holdMs: 0,
  },
  {
    name: 'kafka-restart',
    description: 'Kafka is stopped and started again (KRaft, single node)',
    inject: () => infra('restart', 'kafka'),
    heal: async () => undefined,
    holdMs: 0,
  },
  {
    name: 'provider-late',
    description: 'the card provider answers in 6 s, after the 5 s charge step deadline: successes arrive late and are compensated as tracked steps',
    inject: ({ platform }) => providerLatency(platform, 6_000),
    heal: ({ platform }) => providerLatency(platform, 0),
    holdMs: 4_000,
    exercised: { what: 'some charges succeeded after their step deadline (LATE_REPLY in the history)', check: (f) => f.lateReplies > 0 },
  },
  {
    name: 'provider-restart',
    description: 'the card provider is SIGKILLed mid-workload and restarted at once: its durable books answer retried charges with the first charge',
    inject: ({ platform }) => platform.kill('provider', 'SIGKILL'),
    heal: ({ platform }) => platform.restart('provider'),
    holdMs: 300,
  },
  {
    name: 'charge-redelivered-after-unavailable',
    description: 'the provider is down, a ChargePayment is answered PROVIDER_UNAVAILABLE, payment dies after committing it, and it is redelivered once the provider is back (rounds while the fault holds)',
    inject: async (ctx) => {
      stopReviving = chargeRedeliveredAfterUnavailable(ctx, 3);
    },
    heal: async () => {
      await stopReviving?.();
    },
    // A round takes about six seconds (two restarts, payment rejoining its Kafka group): one or two fit.
    holdMs: 6_000,
    exercised: {
      what: 'orchestrated orders were cancelled as PAYMENT_PROVIDER_UNAVAILABLE (the injected refusals whose delivery was then redelivered)',
      check: (f) => (f.outcomes['orchestration CANCELLED PAYMENT_PROVIDER_UNAVAILABLE'] ?? 0) > 0,
    },
  },
  {
    name: 'slow-participant',
    description: 'every charge takes 13 s for 15 s (longer than the Kafka session timeout and the step deadline): consumers keep their group, every order is final within 30 s of the heal',
    inject: ({ platform }) => faultRule(platform, 'payment', { operation: 'charge', effect: 'delay', delayMs: 13_000 }),
    heal: ({ platform }) => clearFaults(platform, 'payment'),
    holdMs: 15_000,
    boundMs: 30_000,
  },
  {
    name: 'postgres-restart',
    description: 'PostgreSQL is stopped and started again: every service rides it out (pools reconnect, handlers retry, LISTEN resumes)',
    inject: () => infra('restart', 'postgres'),
    heal: async () => undefined,
    holdMs: 0,
  },
  {
    name: 'kafka-down-orchestration-unaffected',
    description: 'Kafka is stopped for 20 s: orchestrated orders go on as usual (their lane is RabbitMQ), choreographed ones wait and complete once it is back, or are cancelled by their deadline if it held them past it',
    inject: () => infra('stop', 'kafka'),
    heal: () => infra('up'),
    holdMs: 20_000,
    exercised: {
      what: 'no orchestrated order was cancelled by a step timeout while Kafka was down',
      check: (f) => Object.keys(f.outcomes).filter((k) => k.startsWith('orchestration CANCELLED') && k.endsWith('_TIMEOUT')).length === 0,
    },
  },
  {
    name: 'poison-reply',
    description: "a ChargePayment asks for its reply on a routing key no queue is bound to: payment parks that reply and its lane flows on; an operator re-drives it",
    inject: async ({ platform }) => {
      poisonOrderId = await sendChargeWithUnroutableReply(platform);
    },
    heal: (ctx) => redriveParkedReply(ctx, poisonOrderId!),
    holdMs: 3_000,
    exercised: { what: 'the lane kept flowing (orchestrated orders approved) and nothing is left parked after the re-drive', check: (f) => f.parkedOutbox === 0 && (f.outcomes['orchestration APPROVED'] ?? 0) > 0 },
  },
  {
    name: 'participant-silent',
    description: `payment's Kafka consumer holds every event ${SILENT_HOLD_PER_EVENT_MS / 1000} s for ${SILENT_FOR_MS / 1000} s: choreographed orders pass their deadline and are cancelled by the order service (DEADLINE_EXCEEDED), stock released, late charges refunded`,
    inject: ({ platform }) => faultRule(platform, 'payment', { operation: 'events', effect: 'delay', delayMs: SILENT_HOLD_PER_EVENT_MS }),
    heal: ({ platform }) => clearFaults(platform, 'payment'),
    holdMs: SILENT_FOR_MS,
    exercised: {
      what: 'choreographed orders were cancelled by their deadline (choreography CANCELLED DEADLINE_EXCEEDED), orchestrated ones were not touched',
      check: (f) => (f.outcomes['choreography CANCELLED DEADLINE_EXCEEDED'] ?? 0) > 0 && (f.outcomes['orchestration APPROVED'] ?? 0) > 0,
    },
  },
  {
    name: 'events-reordered',
    description: `the order service handles payment's events ${PAYMENT_EVENTS_LATE_MS / 1000} s late (its payment-events rule) while inventory's flow: StockReleased overtakes PaymentFailed, and declined orders still settle by the rules`,
    inject: async ({ platform }) => {
      reorderedSince = new Date();
      reorderedOrders = 0;
      // The order consumer falls behind on payments.events.v1, so a PaymentFailed is fetched together with the
      // StockReleased inventory answered it with, and the release is handled while the failure still waits.
      await faultRule(platform, 'order', { operation: 'payment-events', effect: 'delay', delayMs: PAYMENT_EVENTS_LATE_MS });
    },
    heal: async (ctx) => {
      reorderedOrders = await waitForReordering(ctx, reorderedSince!);
      await clearFaults(ctx.platform, 'order');
    },
    // Long enough for the workload's choreographed declines in the window (every 18th order) to meet the rule.
    holdMs: 6_000,
    exercised: {
      // Settled by the rules, not rescued by the deadline: a reordered pair that threw (and was dead-lettered) would
      // have left its order to be cancelled as DEADLINE_EXCEEDED instead.
      what: 'declined choreographed orders saw StockReleased before PaymentFailed and were cancelled as PAYMENT_DECLINED, none by the deadline',
      check: (f) => reorderedOrders > 0 && (f.outcomes['choreography CANCELLED PAYMENT_DECLINED'] ?? 0) > 0 && f.outcomes['choreography CANCELLED DEADLINE_EXCEEDED'] === undefined,
    },
  },
  {
    name: 'kafka-partition',
    description: 'Kafka freezes (SIGSTOP): every client sees a silent network partition, then it thaws (SIGCONT)',
    inject: () => infra('freeze', 'kafka'),
    heal: () => infra('thaw', 'kafka'),
    holdMs: 8_000,
  },
  {
    name: 'consumer-channel-killed',
    description: "the broker closes every service's consumer channel (connections stay up): each consumer comes back by itself on a new channel",
    inject: (ctx) => killConsumerChannels(ctx),
    heal: (ctx) => awaitConsumersBack(ctx),
    holdMs: 2_000,
    exercised: {
      what: 'the broker closed consumer channels of every queue and each consumer came back by itself',
      check: () => killedChannels !== undefined && killedChannels.closed > 0 && killedChannels.closed === killedChannels.channels.length && killedChannels.recovered,
    },
  },
];

export function scenarioNamed(name: string): ChaosScenario {
  const found = chaosScenarios.find((s) => s.name === name);
  if (!found) throw new Error(`no chaos scenario "${name}"; there are: ${chaosScenarios.map((s) => s.name).join(', ')}`);
  return found;
}
