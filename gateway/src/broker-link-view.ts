// /api/admin/links, pure: which names are the platform's links, what each shows of its Toxiproxy proxy, and the
// latency body. Also the OpenAPI document's source.
import { LINK_NAME_PATTERN, brokerLinksOf, linkBrokers, proxyNameOf, type BrokerLink, type ProxyState } from '@saga/faults';
import { z } from 'zod';

/** A minute: longer is a cut in all but name (and holds the broker's heartbeats far past their timeout). */
export const MAX_LATENCY_MS = 60_000;

/** POST /api/admin/links/{name}/latency. */
export const latencyBody = z.strictObject({
  latencyMs: z.number().int().min(1).max(MAX_LATENCY_MS).describe('Added to everything the broker sends the service (deliveries, confirms, heartbeats), in ms'),
  jitterMs: z.number().int().min(0).max(MAX_LATENCY_MS).default(0).describe('± this much, at random, per chunk of data (ms)'),
});

const toxicViewSchema = z.object({
  name: z.string(),
  type: z.string().describe('latency, or any other Toxiproxy toxic someone added by hand'),
  stream: z.enum(['upstream', 'downstream']).describe('downstream: from the broker to the service'),
  toxicity: z.number(),
  attributes: z.record(z.string(), z.number()).describe('e.g. {latency, jitter} in ms'),
});

/** One link as the API shows it: its Toxiproxy proxy, listening (enabled) or cut, and its toxics. */
export const brokerLinkViewSchema = z.object({
  name: z.string().describe('`<service>-<broker>`: the name the other routes take'),
  service: z.string(),
  broker: z.enum(linkBrokers),
  proxy: z.string().describe("The Toxiproxy proxy's own name (the deployment's prefix, then the link's name)"),
  listen: z.string().describe('host:port the service connects to'),
  upstream: z.string().describe("host:port of the broker"),
  enabled: z.boolean().describe('false: cut (the proxy neither listens nor forwards)'),
  toxics: z.array(toxicViewSchema),
});
export type BrokerLinkView = z.infer<typeof brokerLinkViewSchema>;

/** GET /api/admin/links: whether the links are on here (TOXIPROXY_URL), and the platform's links that exist in Toxiproxy. */
export const brokerLinkListSchema = z.object({
  enabled: z.boolean().describe('false: this gateway has no TOXIPROXY_URL (e.g. npm start); the list is empty and a change answers 404 LINKS_DISABLED'),
  items: z.array(brokerLinkViewSchema),
});

/** The {name} of the link routes: one of the platform's links (the contract lists them). */
export const linkNameSchema = (services: readonly string[]) => z.enum(brokerLinksOf(services).map((link) => link.name) as [string, ...string[]]);

export function linkView(link: BrokerLink, proxy: ProxyState): BrokerLinkView {
  return { name: link.name, service: link.service, broker: link.broker, proxy: proxy.name, listen: proxy.listen, upstream: proxy.upstream, enabled: proxy.enabled, toxics: proxy.toxics };
}

/** The links among Toxiproxy's proxies, in the links' order; every other proxy (not the platform's) stays out. */
export function linkViews(links: readonly BrokerLink[], prefix: string, proxies: readonly ProxyState[]): BrokerLinkView[] {
  const byName = new Map(proxies.map((proxy) => [proxy.name, proxy]));
  return links.flatMap((link) => {
    const proxy = byName.get(proxyNameOf(prefix, link.name));
    return proxy ? [linkView(link, proxy)] : [];
  });
}

/** A {name} from a request: one of the links, not a link name at all (400), or a name no link has (404). */
export type LinkLookup = { found: true; link: BrokerLink } | { found: false; reason: 'invalid' | 'unknown' };

export function lookupLink(name: string, links: readonly BrokerLink[]): LinkLookup {
  if (!LINK_NAME_PATTERN.test(name)) return { found: false, reason: 'invalid' };
  const link = links.find((candidate) => candidate.name === name);
  return link ? { found: true, link } : { found: false, reason: 'unknown' };
}
