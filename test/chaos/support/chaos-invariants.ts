// After a fault is healed: the five invariants every order and every message must satisfy, measured as figures
// (orders, approved, cancelled, stuck, lost, double charges, …) and then asserted, so a failure shows the whole picture.
import { consumerGroups, deadLetterTopicFor, topics } from '@saga/contracts';
import { adminBearer, bearerFor } from '@saga/auth/testing';
import { Client } from 'pg';
import { defaultEndpoints, management } from '../../e2e/support/infra-admin';
import { endOffsets, serviceGroups, withKafkaAdmin, type TopicOffsets } from '../../e2e/support/kafka-namespace';
import { getOrder, listNotifications, providerLedger, stockLevels, type OrderView, type PlacedOrder } from '../../e2e/support/order-client';
import { moneyVerdict, notificationVerdict, stockMismatches as stockMismatchesOf } from '../../e2e/support/order-verdicts';
import type { Platform } from '../../e2e/support/platform-processes';

export interface ChaosFigures {
  scenario: string;
  /** Orders that exist (every customer's list), whether or not the client heard its 202. */
  orders: number;
  accepted: number;
  approved: number;
  cancelled: number;
  /** Still PENDING when the bound after healing ran out. */
  stuck: number;
  /** Answered 202 to a client but not found afterwards. */
  lost: number;
  /** Orders the provider captured more than once, or more than their total (read from the provider's books). */
  doubleCharges: number;
  /** By the provider's books: captured − refunded ≠ total for an approved order, ≠ 0 for a cancelled one. */
  moneyMismatches: number;
  /** Sagas parked in COMPENSATION_FAILED (the order service's operator list) once everything settled. */
  compensationFailed: number;
  /** Orders whose history shows a success that arrived after its step was given up (then compensated). */
  lateReplies: number;
  /** Orders whose history shows a reconciliation repair (money refunded, or a capture found missing). */
  reconciled: number;
  /** Skus whose stock is not initial − what approved orders took. */
  stockMismatches: number;
  /** Orders without exactly one final notification of the right kind. */
  notificationMismatches: number;
  /** Messages not consumed: outbox rows unpublished, RabbitMQ messages left in work queues, Kafka lag. */
  undelivered: number;
  /** Parked with a reason (RabbitMQ dead-letter queue, Kafka .dlt topics): not lost, but reported. */
  deadLettered: number;
  /** Outbox rows parked after repeated refusals (an unroutable reply), every service: set aside, re-drivable. */
  parkedOutbox: number;
  /** From healing to the last order reaching APPROVED or CANCELLED. */
  timeToHealMs: number;
  refused: Record<string, number>;
  /** How the orders ended: APPROVED, or CANCELLED with its reason. */
  outcomes: Record<string, number>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function getJson<T>(url: string, authorization: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { headers: { authorization }, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as T };
}

/** Every order of every customer, page by page: what exists, not only what the clients heard of. */
async function allOrders(orderUrl: string, customers: string[]): Promise<OrderView[]> {
  const found: OrderView[] = [];
  for (const customer of customers) {
    let cursor: string | undefined;
    do {
      const page = await getJson<{ items: OrderView[]; nextCursor?: string }>(`${orderUrl}/orders?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, bearerFor(customer));
      if (page.status !== 200) throw new Error(`GET /orders for ${customer} answered ${page.status}`);
      found.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
  }
  return found;
}

/** Where the dead-letter topics end now, to count what a scenario adds to them. */
export async function deadLetterTopicEnds(platform: Platform): Promise<TopicOffsets> {
  return withKafkaAdmin(platform.kafkaBrokers, async (admin) => {
    const existing = new Set(await admin.listTopics());
    return endOffsets(admin, serviceGroups().map(deadLetterTopicFor).filter((topic) => existing.has(topic)));
  });
}

/** What each service's group reads (services/<name>/src/messaging/*-events handlers subscribe to exactly these). */
const subscriptions: Record<string, string[]> = {
  [consumerGroups.inventory]: [topics.orderEvents, topics.paymentEvents],
  [consumerGroups.payment]: [topics.orderEvents, topics.inventoryEvents],
  [consumerGroups.order]: [topics.inventoryEvents, topics.paymentEvents],
  [consumerGroups.notification]: [topics.orderEvents],
};

const sumOffsets = (offsets: TopicOffsets) => Object.values(offsets).flat().reduce((sum, p) => sum + Number(p.offset), 0);

/** Unconsumed messages right now: outbox rows not yet published, work-queue messages, Kafka consumer lag. */
async function undeliveredMessages(platform: Platform): Promise<{ total: number; detail: Record<string, number> }> {
  const detail: Record<string, number> = {};
  for (const service of ['order', 'inventory', 'payment', 'notification'] as const) {
    const client = new Client({ connectionString: platform.databaseUrl(service) });
    await client.connect();
    try {
      // Parked rows are not lost but set aside for an operator (counted apart, like dead letters).
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL AND parked_at IS NULL');
      detail[`outbox:${service}`] = Number(rows[0]?.n ?? 0);
    } finally {
      await client.end();
    }
  }
  const queues = (await management(defaultEndpoints().managementUrl, 'GET', `queues/${encodeURIComponent(platform.vhost)}`)) as { name: string; messages?: number }[];
  for (const queue of queues) if (!queue.name.includes('dead-letter')) detail[`queue:${queue.name}`] = queue.messages ?? 0;
  await withKafkaAdmin(platform.kafkaBrokers, async (admin) => {
    for (const [groupId, read] of Object.entries(subscriptions)) {
      const ends = await endOffsets(admin, read);
      const committed = await admin.fetchOffsets({ groupId, topics: read });
      let lag = 0;
      for (const { topic, partitions } of committed) {
        for (const { partition, offset } of partitions) {
          // The group was positioned at the run's start; -1 (nothing committed) means it is still there.
          const start = Number(platform.kafkaStart[topic]?.find((p) => p.partition === partition)?.offset ?? 0);
          const end = Number(ends[topic]?.find((p) => p.partition === partition)?.offset ?? 0);
          lag += Math.max(0, end - Math.max(start, Number(offset)));
        }
      }
      detail[`kafka-lag:${groupId}`] = lag;
    }
  });
  return { total: Object.values(detail).reduce((sum, n) => sum + n, 0), detail };
}

/** Outbox rows every service has parked (published_at IS NULL, parked_at set). */
export async function parkedOutboxRows(platform: Platform): Promise<number> {
  let parked = 0;
  for (const service of ['order', 'inventory', 'payment', 'notification'] as const) {
    const client = new Client({ connectionString: platform.databaseUrl(service) });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL AND parked_at IS NOT NULL');
      parked += Number(rows[0]?.n ?? 0);
    } finally {
      await client.end();
    }
  }
  return parked;
}

async function deadLetteredSince(platform: Platform, before: TopicOffsets): Promise<{ total: number; detail: Record<string, number> }> {
  const detail: Record<string, number> = {};
  const queues = (await management(defaultEndpoints().managementUrl, 'GET', `queues/${encodeURIComponent(platform.vhost)}`)) as { name: string; messages?: number }[];
  for (const queue of queues) if (queue.name.includes('dead-letter')) detail[`queue:${queue.name}`] = queue.messages ?? 0;
  const after = await deadLetterTopicEnds(platform);
  for (const topic of Object.keys(after)) detail[`topic:${topic}`] = sumOffsets({ [topic]: after[topic]! }) - sumOffsets({ [topic]: before[topic] ?? [] });
  return { total: Object.values(detail).reduce((sum, n) => sum + n, 0), detail };
}

/** The order service's operator list of parked sagas (GET /admin/orders?sagaStatus=COMPENSATION_FAILED). */
async function parkedSagas(platform: Platform, ofOrders: ReadonlySet<string>): Promise<string[]> {
  const answer = await getJson<{ items: { orderId: string; awaiting: { step: string } | null }[] }>(`${platform.urls.order}/admin/orders?sagaStatus=COMPENSATION_FAILED&limit=100`, adminBearer());
  if (answer.status !== 200) throw new Error(`GET /admin/orders?sagaStatus=COMPENSATION_FAILED answered ${answer.status}`);
  return answer.body.items.filter((item) => ofOrders.has(item.orderId)).map((item) => `${item.orderId} (${item.awaiting?.step ?? '?'})`);
}

export interface InvariantInput {
  scenario: string;
  platform: Platform;
  customers: string[];
  accepted: PlacedOrder[];
  refused: Record<string, number>;
  initialStock: Record<string, number>;
  deadLettersBefore: TopicOffsets;
  healedAt: number;
  /** How long after healing every order must be final. */
  boundMs: number;
}

/** Measures the figures (waiting, within the bound, for things to settle), prints them, and returns them with the details. */
export async function measureInvariants(input: InvariantInput): Promise<{ figures: ChaosFigures; problems: string[] }> {
  const { platform } = input;
  const deadline = input.healedAt + input.boundMs;
  const problems: string[] = [];

  // 1. Every order final within the bound (no lost order, none stuck).
  let orders: OrderView[];
  let lastFinalAt = input.healedAt;
  for (;;) {
    orders = await allOrders(platform.urls.order, input.customers);
    const pending = orders.filter((order) => order.status === 'PENDING');
    if (pending.length === 0) {
      lastFinalAt = Date.now();
      break;
    }
    if (Date.now() > deadline) break;
    await sleep(500);
  }
  const byId = new Map(orders.map((order) => [order.orderId, order]));
  const stuck = orders.filter((order) => order.status === 'PENDING');
  const lost = input.accepted.filter((placed) => !byId.has(placed.orderId));
  if (stuck.length > 0) problems.push(`stuck PENDING: ${stuck.slice(0, 5).map((o) => o.orderId).join(', ')}${stuck.length > 5 ? '…' : ''}`);
  if (lost.length > 0) problems.push(`accepted but not found: ${lost.map((o) => o.orderId).join(', ')}`);
  const finals = orders.filter((order) => order.status !== 'PENDING');

  // 2. Stock conservation, once releases in flight have landed (eventually, within what is left of the bound).
  let stockMismatches: string[];
  for (;;) {
    stockMismatches = stockMismatchesOf(input.initialStock, await stockLevels(platform.urls.inventory), finals);
    if (stockMismatches.length === 0 || Date.now() > deadline + 10_000) break;
    await sleep(500);
  }
  problems.push(...stockMismatches.map((m) => `stock ${m}`));

  // 3. Money, by the provider's own books: one capture of the total per approved order, net zero for a cancelled one.
  //    Refunds still in flight (a compensation, a reconciliation pass) land eventually: look again within the bound.
  let doubleCharges: number;
  let moneyProblems: string[];
  for (;;) {
    doubleCharges = 0;
    moneyProblems = [];
    for (const order of finals) {
      // Right after healing, payment's breaker to the provider may still be open (503): the books are read again.
      const ledger = await providerLedger(platform.urls.payment, order.orderId).catch((error: unknown) => error as Error);
      if (ledger instanceof Error) {
        moneyProblems.push(`order ${order.orderId}: the provider's books could not be read: ${ledger.message}`);
        continue;
      }
      const verdict = moneyVerdict(order, ledger);
      if (verdict.doubleCharge) doubleCharges += 1;
      if (verdict.problem) moneyProblems.push(verdict.problem);
    }
    if (moneyProblems.length === 0 || Date.now() > deadline + 20_000) break;
    await sleep(1_000);
  }
  const moneyMismatches = moneyProblems.length;
  problems.push(...moneyProblems.slice(0, 10));

  // 3a. What the sagas went through, from each order's history (late successes, reconciliation repairs).
  let lateReplies = 0;
  let reconciled = 0;
  for (const order of finals) {
    const { history } = await getOrder(platform.urls.order, order.customerId, order.orderId);
    if (history.some((entry) => entry.status === 'LATE_REPLY')) lateReplies += 1;
    if (history.some((entry) => entry.step === 'RECONCILE_PAYMENT')) reconciled += 1;
  }

  // 3b. No saga parked for an operator once healed.
  const parked = await parkedSagas(platform, new Set(byId.keys()));
  if (parked.length > 0) problems.push(`COMPENSATION_FAILED: ${parked.slice(0, 5).join(', ')}`);

  // 4. Exactly one final notification of the right kind per order (sent; retried deliveries may still be landing).
  let notificationMismatches: string[];
  for (;;) {
    notificationMismatches = [];
    for (const order of finals) {
      const problem = notificationVerdict(order, await listNotifications(platform.urls.notification, order.orderId));
      if (problem) notificationMismatches.push(problem);
    }
    if (notificationMismatches.length === 0 || Date.now() > deadline + 20_000) break;
    await sleep(1_000);
  }
  problems.push(...notificationMismatches.slice(0, 10));

  // 5. Nothing silently dropped: everything published is consumed (or parked with a reason, counted apart).
  let undelivered = await undeliveredMessages(platform);
  while (undelivered.total > 0 && Date.now() < deadline + 20_000) {
    await sleep(1_000);
    undelivered = await undeliveredMessages(platform);
  }
  if (undelivered.total > 0) problems.push(`undelivered: ${JSON.stringify(Object.fromEntries(Object.entries(undelivered.detail).filter(([, n]) => n > 0)))}`);
  const deadLettered = await deadLetteredSince(platform, input.deadLettersBefore);
  const parkedOutbox = await parkedOutboxRows(platform);

  const figures: ChaosFigures = {
    scenario: input.scenario,
    orders: orders.length,
    accepted: input.accepted.length,
    approved: finals.filter((o) => o.status === 'APPROVED').length,
    cancelled: finals.filter((o) => o.status === 'CANCELLED').length,
    stuck: stuck.length,
    lost: lost.length,
    doubleCharges,
    moneyMismatches,
    compensationFailed: parked.length,
    lateReplies,
    reconciled,
    stockMismatches: stockMismatches.length,
    notificationMismatches: notificationMismatches.length,
    undelivered: undelivered.total,
    deadLettered: deadLettered.total,
    parkedOutbox,
    timeToHealMs: Math.max(0, lastFinalAt - input.healedAt),
    refused: input.refused,
    outcomes: finals.reduce<Record<string, number>>((all, o) => {
      const key = `${o.sagaMode} ${o.status === 'APPROVED' ? 'APPROVED' : `CANCELLED ${o.failureReason ?? '?'}`}`;
      return { ...all, [key]: (all[key] ?? 0) + 1 };
    }, {}),
  };
  if (deadLettered.total > 0) console.log(`[${input.scenario}] dead-lettered (parked with a reason): ${JSON.stringify(deadLettered.detail)}`);
  return { figures, problems };
}

export function formatFigures(f: ChaosFigures): string {
  const refused = Object.entries(f.refused).map(([k, n]) => `${k}×${n}`).join(' ') || 'none';
  return (
    `[chaos ${f.scenario}] orders=${f.orders} (accepted ${f.accepted}; refused ${refused}) approved=${f.approved} cancelled=${f.cancelled} ` +
    `stuck=${f.stuck} lost=${f.lost} double-charges=${f.doubleCharges} money-mismatches(ledger)=${f.moneyMismatches} compensation-failed=${f.compensationFailed} late-replies=${f.lateReplies} reconciled=${f.reconciled} stock-mismatches=${f.stockMismatches} ` +
    `notification-mismatches=${f.notificationMismatches} undelivered=${f.undelivered} dead-lettered=${f.deadLettered} parked=${f.parkedOutbox} time-to-heal=${(f.timeToHealMs / 1000).toFixed(1)} s ` +
    `outcomes ${JSON.stringify(f.outcomes)}`
  );
}

/** The admin token the chaos controls use (fault rules, restock). */
export const chaosAdmin = adminBearer;
