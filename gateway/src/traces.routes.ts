// /api/admin/traces/{orderId}: an order's trace, merged from the span store of every process that took part in it.
import { identityOf } from '@saga/auth';
import { BadRequestError, ForbiddenError, NotFoundError, processTraceSchema } from '@saga/platform';
import { spanStore, traceSpanSchema, type SpanStore, type TraceSpan } from '@saga/tracing';
import type { Request, RequestHandler, Router } from 'express';
import { z } from 'zod';
import { readFromInstance, type FanOutOptions, type UpstreamDirectory } from './upstream-fanout';
import type { UpstreamName } from './upstream-proxy';

/** Spans live in each process's memory: every instance of each service is asked. */
export type TraceGatewayOptions = Pick<UpstreamDirectory, 'upstreams' | 'instancesOf'> & FanOutOptions & {
  /** The gateway's own spans (its server span is the root of an order placed through it). */
  store?: () => SpanStore;
};

/** GET /api/admin/traces/{orderId}'s answer (also the OpenAPI source). */
export const orderTraceSchema = (upstreams: readonly UpstreamName[]) =>
  z.object({
    orderId: z.uuid(),
    /** Usually one: the saga's. A message re-driven by hand, or a retried compensation, can add another. */
    traceIds: z.array(z.string().regex(/^[0-9a-f]{32}$/)),
    /** Every span kept of those traces by every process asked, oldest first; parentSpanId links them into a tree. */
    spans: z.array(traceSpanSchema),
    /**
     * Per service: `ok (<n> instances)`, `partial (<why>)` when some of its instances did not answer, or
     * `unavailable (<why>)`: spans of an instance that did not answer are missing.
     */
    services: z.partialRecord(z.enum(upstreams as [UpstreamName, ...UpstreamName[]]), z.string().regex(/^(ok \(\d+ instances?\)|partial \(.*\)|unavailable \(.*\))$/)),
  });

const requireAdmin: RequestHandler = (_req, res, next) => {
  next(identityOf(res)?.roles.includes('admin') ? undefined : new ForbiddenError('Role admin required'));
};

export function traceGatewayRoutes(api: Router, options: TraceGatewayOptions): void {
  const store = options.store ?? spanStore;
  api.get('/admin/traces/:orderId', requireAdmin, async (req, res) => {
    const parsed = z.uuid().safeParse(req.params.orderId);
    if (!parsed.success) throw new BadRequestError('Expected an order id (a UUID)', { code: 'VALIDATION_FAILED' });
    const orderId = parsed.data;
    const answers = await Promise.all(options.upstreams.map((name) => spansFrom(name, orderId, req, options)));
    const byId = new Map<string, TraceSpan>();
    const keep = (span: TraceSpan) => byId.set(`${span.traceId}/${span.spanId}`, span);
    // In the embedded platform every service shares one process, hence one store: the same span comes back from each.
    for (const answer of answers) answer.spans.forEach(keep);
    for (const span of store().spansOfOrder(orderId)) keep(span);
    const traceIds = [...new Set([...byId.values()].map((span) => span.traceId))];
    // The gateway's spans do not name the order (it is created behind it): they join by trace id.
    for (const traceId of traceIds) store().spansOfTrace(traceId).forEach(keep);
    if (byId.size === 0) {
      throw new NotFoundError(`No spans kept for order ${orderId}: unknown order, spans aged out, or tracing is off`, { code: 'TRACE_NOT_FOUND' });
    }
    const spans = [...byId.values()].sort((a, b) => a.startTimeMs - b.startTimeMs);
    res.json({ orderId, traceIds, spans, services: Object.fromEntries(answers.map((answer) => [answer.name, answer.status])) });
  });
}

interface Answer {
  name: UpstreamName;
  status: string;
  spans: TraceSpan[];
}

/** Asks every instance of the service (each keeps its own spans); one that does not answer is reported, not fatal. */
async function spansFrom(name: UpstreamName, orderId: string, req: Request, options: TraceGatewayOptions): Promise<Answer> {
  const instances = options.instancesOf(name);
  if (instances.length === 0) return { name, status: 'unavailable (no healthy instance)', spans: [] };
  const failures: string[] = [];
  const spans: TraceSpan[] = [];
  await Promise.all(instances.map(async (base) => {
    const read = await readFromInstance(base, `/admin/traces/${orderId}`, req, options);
    const trace = read.ok ? processTraceSchema.safeParse(read.body) : undefined;
    if (!read.ok) failures.push(read.reason);
    else if (!trace?.success) failures.push('answered something other than its spans');
    else spans.push(...trace.data.spans);
  }));
  const answered = instances.length - failures.length;
  const status = failures.length === 0
    ? `ok (${instances.length} instance${instances.length === 1 ? '' : 's'})`
    : `${answered > 0 ? 'partial' : 'unavailable'} (${failures.join('; ')})`;
  return { name, status, spans };
}
