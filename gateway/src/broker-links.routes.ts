// /api/admin/links: each service's broker link through Toxiproxy, listed, slowed, cut and restored (admin only). Off
// without TOXIPROXY_URL (the list says so, a change is a 404 LINKS_DISABLED); only the platform's own proxies
// (`<prefix><service>-<broker>`) are touched.
import express, { type RequestHandler, type Router } from 'express';
import { identityOf } from '@saga/auth';
import { brokerLinksOf, proxyNameOf, ToxiproxyError, type BrokerLink, type Toxiproxy } from '@saga/faults';
import { BadRequestError, ForbiddenError, NotFoundError, ServiceUnavailableError, fromZodError, rejectUnsafeInput, type Logger } from '@saga/platform';
import { latencyBody, linkView, linkViews, lookupLink } from './broker-link-view';

export interface BrokerLinkGatewayOptions {
  /** From TOXIPROXY_URL; undefined: the feature is off. */
  toxiproxy: Toxiproxy | undefined;
  /** TOXIPROXY_LINK_PREFIX: the deployment's proxies are `<prefix><service>-<broker>`. */
  prefix: string;
  services: readonly string[];
  bodyLimit: number;
  logger: Logger;
}

const requireAdmin: RequestHandler = (_req, res, next) => {
  next(identityOf(res)?.roles.includes('admin') ? undefined : new ForbiddenError('Role admin required'));
};

/** Toxiproxy's failures as the API's: no such proxy is the link's 404, anything else Toxiproxy's outage (never the client's fault). */
function asApiError(error: unknown, link: BrokerLink | undefined, proxy: string | undefined): unknown {
  if (!(error instanceof ToxiproxyError)) return error;
  if (error.status === 404 && link) {
    return new NotFoundError(`No broker link ${link.name}: Toxiproxy has no proxy ${proxy} (start:local and the chaos harness create them)`, { code: 'LINK_NOT_FOUND' });
  }
  if (error.status === undefined) return new ServiceUnavailableError(error.message, { code: 'TOXIPROXY_UNAVAILABLE' });
  return new ServiceUnavailableError(error.message, { code: 'TOXIPROXY_FAILED' });
}

export function brokerLinkGatewayRoutes(api: Router, options: BrokerLinkGatewayOptions): void {
  const links = brokerLinksOf(options.services);
  const names = links.map((link) => link.name);
  const switchedOn: RequestHandler = (_req, _res, next) => {
    next(options.toxiproxy ? undefined : new NotFoundError('Broker links are off: this gateway has no TOXIPROXY_URL', { code: 'LINKS_DISABLED' }));
  };
  const guard = [requireAdmin, switchedOn];
  const toxiproxy = () => options.toxiproxy as Toxiproxy;

  /** The link a {name} names, or the 400 / 404 that says why there is none. */
  const linkNamed = (name: unknown): BrokerLink => {
    const lookup = lookupLink(String(name), links);
    if (lookup.found) return lookup.link;
    if (lookup.reason === 'invalid') throw new BadRequestError('Expected a link name such as order-rabbitmq (lower-case letters, digits and "-")', { code: 'INVALID_LINK_NAME', details: { links: names } });
    throw new NotFoundError(`No broker link ${String(name)}`, { code: 'LINK_NOT_FOUND', details: { links: names } });
  };

  /** One change to one link, answered with the link as Toxiproxy has it afterwards. */
  const change = (what: string, act: (proxy: string, body: unknown) => Promise<unknown>): RequestHandler => async (req, res) => {
    const link = linkNamed(req.params.name);
    const proxy = proxyNameOf(options.prefix, link.name);
    try {
      await act(proxy, req.body);
      const state = await toxiproxy().proxy(proxy);
      if (!state) throw new ToxiproxyError(`Toxiproxy has no proxy ${proxy}`, 404);
      options.logger.info({ link: link.name, proxy, user: identityOf(res)?.sub, enabled: state.enabled, toxics: state.toxics.map((toxic) => toxic.name) }, `broker link ${what}`);
      res.setHeader('Cache-Control', 'no-store');
      res.json(linkView(link, state));
    } catch (error) {
      throw asApiError(error, link, proxy);
    }
  };

  // The list answers whether the feature is on, so the console can ask without provoking an error: off is a state of
  // this deployment, not a mistake of the caller's.
  api.get('/admin/links', requireAdmin, async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    if (!options.toxiproxy) {
      res.json({ enabled: false, items: [] });
      return;
    }
    const proxies = await toxiproxy().proxies().catch((error: unknown) => {
      throw asApiError(error, undefined, undefined);
    });
    res.json({ enabled: true, items: linkViews(links, options.prefix, proxies) });
  });

  api.post('/admin/links/:name/latency', ...guard, express.json({ limit: options.bodyLimit }), rejectUnsafeInput(), (req, _res, next) => {
    // The name first (400/404), then the body: a bad body on an unknown link is a 404.
    linkNamed(req.params.name);
    const parsed = latencyBody.safeParse(req.body);
    if (!parsed.success) throw fromZodError(parsed.error);
    req.body = parsed.data;
    next();
  }, change('slowed', (proxy, body) => {
    const { latencyMs, jitterMs } = body as { latencyMs: number; jitterMs: number };
    return toxiproxy().setLatency(proxy, latencyMs, jitterMs);
  }));

  api.post('/admin/links/:name/cut', ...guard, change('cut', (proxy) => toxiproxy().cut(proxy)));

  // Restore: every toxic removed and the proxy listening again (on the port its service knows).
  api.delete('/admin/links/:name/toxics', ...guard, change('restored', (proxy) => toxiproxy().heal(proxy)));
}
