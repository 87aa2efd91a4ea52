// GET /api/admin/system: every service's instances and readiness, breakers (the gateway's and the services' own),
// outbox backlog and dead letters, read now from each of them; what does not answer is shown as such, never a 5xx.
import { identityOf } from '@saga/auth';
import { breakerView, ForbiddenError, type BreakerView } from '@saga/platform';
import type { Request, RequestHandler, Router } from 'express';
import { deadLettersOf } from './dead-letters.routes';
import { deadLetterView, instanceView, outboxView, serviceState, type ServiceView, type SystemView } from './system-view';
import { readFromInstance, type FanOutOptions, type UpstreamDirectory } from './upstream-fanout';
import type { UpstreamName } from './upstream-proxy';

export type SystemGatewayOptions = UpstreamDirectory & FanOutOptions & {
  /** The gateway's own breaker towards the upstream (its proxy's), as it is now. */
  gatewayBreakerOf: (name: UpstreamName) => BreakerView;
  now?: () => Date;
};

const requireAdmin: RequestHandler = (_req, res, next) => {
  next(identityOf(res)?.roles.includes('admin') ? undefined : new ForbiddenError('Role admin required'));
};

export function systemGatewayRoutes(api: Router, options: SystemGatewayOptions): void {
  api.get('/admin/system', requireAdmin, async (req, res) => {
    const services = await Promise.all(options.upstreams.map((name) => serviceOf(name, req, options)));
    const view: SystemView = { checkedAt: (options.now?.() ?? new Date()).toISOString(), services };
    res.setHeader('Cache-Control', 'no-store');
    res.json(view);
  });
}

/** One service: each instance asked for its readiness and breakers; the outbox and dead letters (shared state) once. */
async function serviceOf(name: UpstreamName, req: Request, options: SystemGatewayOptions): Promise<ServiceView> {
  const urls = options.instancesOf(name);
  const base = options.baseUrlOf(name);
  const [instances, outbox, deadLetters] = await Promise.all([
    Promise.all(urls.map(async (url) => {
      // 503 is a readiness answer too: its report says which check failed.
      const [ready, breakers] = await Promise.all([readFromInstance(url, '/health/ready', req, options, [200, 503]), readFromInstance(url, '/admin/breakers', req, options)]);
      return instanceView(url, ready, breakers);
    })),
    base ? readFromInstance(base, '/admin/outbox?state=parked&limit=1', req, options) : undefined,
    deadLettersOf(name, 'all', req, options),
  ]);
  return {
    name,
    state: serviceState(instances),
    instancesFrom: options.sourceOf(name),
    ...(urls.length === 0 && { reason: 'no healthy instance in the registry' }),
    instances,
    gatewayBreaker: breakerView(options.gatewayBreakerOf(name)),
    outbox: outboxView(outbox),
    deadLetters: deadLetterView(deadLetters),
  };
}
