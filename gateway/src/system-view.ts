// GET /api/admin/system's shape (also the OpenAPI source) and the pure rules that turn the services' answers into it.
import { deadLetterCountsSchema, outboxListSchema, type DeadLetterView } from '@saga/messaging';
import { breakerViewSchema, processBreakersSchema } from '@saga/platform';
import { z } from 'zod';
import type { DeadLetterAnswer } from './dead-letters.routes';
import type { InstanceRead } from './upstream-fanout';
import type { UpstreamName } from './upstream-proxy';

const unavailable = z.object({ status: z.literal('unavailable'), reason: z.string().describe('Why it could not be read') });
const checkSchema = z.object({ status: z.enum(['up', 'down']), error: z.string().optional() });

const instanceSchema = z.object({
  url: z.string().describe("The instance's base URL, from the registry or the static *_URL"),
  state: z.enum(['up', 'down']).describe('up: its /health/ready answered 200'),
  reason: z.string().optional().describe('Why it is down: the readiness checks that failed, or why it did not answer'),
  checks: z.record(z.string(), checkSchema).optional().describe('Its readiness checks, as it reported them'),
  breakers: z.discriminatedUnion('status', [z.object({ status: z.literal('ok'), items: z.array(breakerViewSchema) }), unavailable])
    .describe("This instance's own breakers towards its dependencies (order: inventory; payment: payment-provider)"),
});
export type InstanceView = z.infer<typeof instanceSchema>;

const outboxSchema = z.discriminatedUnion('status', [z.object({ status: z.literal('ok'), ...outboxListSchema.shape.counts.shape }), unavailable]);
const deadLetterSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), ...deadLetterCountsSchema.shape }),
  z.object({ status: z.literal('partial'), reason: z.string().describe('The broker that could not be read'), ...deadLetterCountsSchema.shape }),
  unavailable,
]);

/** GET /api/admin/system's answer: always 200 for an admin; what could not be read says why, in place. */
export const systemViewSchema = (upstreams: readonly UpstreamName[]) =>
  z.object({
    checkedAt: z.iso.datetime(),
    services: z.array(
      z.object({
        name: z.enum(upstreams as [UpstreamName, ...UpstreamName[]]),
        state: z.enum(['up', 'degraded', 'down']).describe('up: every instance ready; degraded: some; down: none (or none known)'),
        instancesFrom: z.enum(['registry', 'static']),
        reason: z.string().optional().describe('Why no instance is listed'),
        instances: z.array(instanceSchema),
        gatewayBreaker: breakerViewSchema.describe("The gateway's breaker towards the service"),
        outbox: outboxSchema.describe('Unpublished outbox rows (one table per service, shared by its instances)'),
        deadLetters: deadLetterSchema.describe("What the service's consumers dead-lettered, on both brokers"),
      }),
    ),
  });
export type SystemView = z.infer<ReturnType<typeof systemViewSchema>>;
export type ServiceView = SystemView['services'][number];

const readinessReport = z.object({ status: z.enum(['ready', 'not-ready']), checks: z.record(z.string(), checkSchema) });

/** One instance from its /health/ready (200 or 503, both with a report) and its /admin/breakers. */
export function instanceView(url: string, ready: InstanceRead, breakers: InstanceRead): InstanceView {
  const parsedBreakers = breakers.ok ? processBreakersSchema.safeParse(breakers.body) : undefined;
  const breakerRead: InstanceView['breakers'] = parsedBreakers?.success
    ? { status: 'ok', items: parsedBreakers.data.items }
    : { status: 'unavailable', reason: breakers.ok ? 'answered something other than its breakers' : breakers.reason };
  if (!ready.ok) return { url, state: 'down', reason: `did not answer its readiness probe: ${ready.reason}`, breakers: breakerRead };
  const report = readinessReport.safeParse(ready.body);
  if (!report.success) return { url, state: 'down', reason: `answered ${ready.status} without a readiness report`, breakers: breakerRead };
  const { checks } = report.data;
  if (ready.status === 200 && report.data.status === 'ready') return { url, state: 'up', checks, breakers: breakerRead };
  const failing = Object.entries(checks).filter(([, check]) => check.status === 'down').map(([name, check]) => `${name}: ${check.error ?? 'down'}`);
  return { url, state: 'down', reason: `not ready (${failing.join('; ') || `answered ${ready.status}`})`, checks, breakers: breakerRead };
}

/** up when every instance is, down when none is (or none is known), degraded in between. */
export function serviceState(instances: readonly Pick<InstanceView, 'state'>[]): ServiceView['state'] {
  const up = instances.filter((instance) => instance.state === 'up').length;
  if (up === 0) return 'down';
  return up === instances.length ? 'up' : 'degraded';
}

/** The outbox's counts from GET /admin/outbox (any state: the counts cover both). */
export function outboxView(read: InstanceRead | undefined): ServiceView['outbox'] {
  if (!read) return { status: 'unavailable', reason: 'no healthy instance' };
  if (!read.ok) return { status: 'unavailable', reason: read.reason };
  const listing = outboxListSchema.safeParse(read.body);
  return listing.success ? { status: 'ok', ...listing.data.counts } : { status: 'unavailable', reason: 'answered something other than its outbox' };
}

/** The dead-letter counts of one service's listing (counted from its letters, as the merged listing counts them). */
export function deadLetterView(answer: DeadLetterAnswer): ServiceView['deadLetters'] {
  const why = /^\w+ \((.*)\)$/s.exec(answer.status)?.[1] ?? answer.status;
  if (!answer.listing) return { status: 'unavailable', reason: why };
  const items: DeadLetterView[] = answer.listing.items;
  const redriven = items.filter((item) => item.state === 'redriven').length;
  const counts = { 'dead-lettered': items.length - redriven, redriven };
  return answer.status === 'ok' ? { status: 'ok', ...counts } : { status: 'partial', reason: why, ...counts };
}
