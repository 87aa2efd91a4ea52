// /api/admin/dead-letters: every service's dead letters in one list; a re-drive is proxied to the service its id names.
import { identityOf } from '@saga/auth';
import { deadLetterCountsSchema, deadLetterViewSchema, parseDeadLetterId, type DeadLetterListing, type DeadLetterView } from '@saga/messaging';
import { BadRequestError, ForbiddenError, ServiceUnavailableError } from '@saga/platform';
import type { RequestHandler, Request, Router } from 'express';
import { z } from 'zod';
import { readFromInstance, type FanOutOptions, type UpstreamDirectory } from './upstream-fanout';
import type { UpstreamName } from './upstream-proxy';

/** The letters live in the brokers, shared by a service's instances: any one of them answers for the service. */
export type DeadLetterGatewayOptions = Pick<UpstreamDirectory, 'upstreams' | 'baseUrlOf'> & FanOutOptions;

const requireAdmin: RequestHandler = (_req, res, next) => {
  next(identityOf(res)?.roles.includes('admin') ? undefined : new ForbiddenError('Role admin required'));
};

/** The service a dead-letter id names, if the id is one at all (the service checks the rest again). */
export function ownerOfDeadLetter(id: string, upstreams: readonly UpstreamName[]): UpstreamName | undefined {
  const service = parseDeadLetterId(id)?.service;
  return upstreams.find((name) => name === service);
}

/** GET /api/admin/dead-letters' query (also the OpenAPI source). */
export const deadLetterGatewayQuery = (upstreams: readonly UpstreamName[]) =>
  z.object({
    service: z.enum(upstreams as [UpstreamName, ...UpstreamName[]]).optional(),
    state: z.enum(['dead-lettered', 'redriven', 'all']).default('all'),
  });

/**
 * GET /api/admin/dead-letters' answer: every answering service's letters merged, and per service `ok`,
 * `partial (<broker>: <why>)` or `unavailable (<why>)` (only the services asked: one with ?service=).
 */
export const deadLetterGatewayListSchema = (upstreams: readonly UpstreamName[]) =>
  z.object({
    items: z.array(deadLetterViewSchema),
    counts: deadLetterCountsSchema,
    services: z.partialRecord(z.enum(upstreams as [UpstreamName, ...UpstreamName[]]), z.string().regex(/^(ok|partial \(.*\)|unavailable \(.*\))$/)),
  });

/** Mounted on the authenticated /api router, before the proxy: the list is answered here, a re-drive passes on. */
export function deadLetterGatewayRoutes(api: Router, options: DeadLetterGatewayOptions): void {
  const query = deadLetterGatewayQuery(options.upstreams);

  api.get('/admin/dead-letters', requireAdmin, async (req, res) => {
    const parsed = query.safeParse(req.query);
    if (!parsed.success) throw new BadRequestError(`Expected ?service=${options.upstreams.join('|')} and ?state=dead-lettered|redriven|all`, { code: 'VALIDATION_FAILED' });
    const { service, state } = parsed.data;
    const answers = await Promise.all((service ? [service] : options.upstreams).map((name) => deadLettersOf(name, state, req, options)));
    const answered = answers.filter((answer) => answer.listing);
    // Some services' letters are better than none; no service at all is an outage, not an empty list.
    if (answered.length === 0) throw new ServiceUnavailableError(`No service answered: ${answers.map((a) => `${a.name} ${a.status}`).join('; ')}`, { code: 'UPSTREAM_UNAVAILABLE' });
    const items: DeadLetterView[] = answered.flatMap((answer) => answer.listing!.items).sort((a, b) => a.deadLetteredAt.localeCompare(b.deadLetteredAt));
    const redriven = items.filter((item) => item.state === 'redriven').length;
    res.json({ items, counts: { 'dead-lettered': items.length - redriven, redriven }, services: Object.fromEntries(answers.map((a) => [a.name, a.status])) });
  });

  api.post('/admin/dead-letters/:id/redrive', requireAdmin, (req, _res, next) => {
    if (!ownerOfDeadLetter(String(req.params.id), options.upstreams)) {
      throw new BadRequestError(`Expected a dead-letter id <${options.upstreams.join('|')}>:<rabbitmq|kafka>:<letter id>, as GET /api/admin/dead-letters lists them`, { code: 'INVALID_DEAD_LETTER_ID' });
    }
    next();
  });
}

export interface DeadLetterAnswer {
  name: UpstreamName;
  /** 'ok', or why its letters are missing or partial: `partial (<broker>: <why>)`, `unavailable (<why>)`. */
  status: string;
  listing?: DeadLetterListing;
}

/** One service's letters in a state (also the system view's counts); a service that does not answer is a status, not a throw. */
export async function deadLettersOf(name: UpstreamName, state: string, req: Request, options: DeadLetterGatewayOptions): Promise<DeadLetterAnswer> {
  const base = options.baseUrlOf(name);
  if (!base) return { name, status: 'unavailable (no healthy instance)' };
  const read = await readFromInstance(base, `/admin/dead-letters?state=${state}`, req, options);
  if (!read.ok) return { name, status: `unavailable (${read.reason})` };
  const listing = read.body as DeadLetterListing;
  const missing = Object.entries(listing.unavailable ?? {}).map(([broker, why]) => `${broker}: ${why}`);
  return { name, listing, status: missing.length === 0 ? 'ok' : `partial (${missing.join('; ')})` };
}
