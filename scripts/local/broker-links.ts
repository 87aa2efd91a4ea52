// start:local's broker links, pure: one Toxiproxy proxy per service that reaches RabbitMQ (`<service>-rabbitmq`), each
// service's RABBITMQ_URL through its own proxy, and the gateway told where Toxiproxy is. start-local.ts creates the proxies.
import { brokerLinkEnv, brokerLinkName, proxyNameOf, throughProxy, upstreamOf } from '@saga/faults';
import type { ServiceSpec } from '../deploy/manifest';

/** start:local's proxies carry no prefix (`order-rabbitmq`); the chaos harness's are `chaos-<pid>-order-rabbitmq`. */
export const LOCAL_LINK_PREFIX = '';

export interface PlannedLink {
  /** The Toxiproxy proxy's name. */
  proxy: string;
  service: string;
  /** host:port of the broker. */
  upstream: string;
}

/**
 * Every service with a RABBITMQ_URL gets a proxy to that broker. Kafka stays direct: its clients connect to the
 * address the broker advertises after the first request, so a proxy per service would carry almost nothing.
 */
export function planBrokerLinks(specs: readonly ServiceSpec[], prefix = LOCAL_LINK_PREFIX): PlannedLink[] {
  return specs.flatMap((spec) => {
    const url = spec.env.RABBITMQ_URL;
    return url ? [{ proxy: proxyNameOf(prefix, brokerLinkName(spec.name, 'rabbitmq')), service: spec.name, upstream: upstreamOf(url, 5672) }] : [];
  });
}

/**
 * The specs with each linked service's RABBITMQ_URL through its proxy (`listen`: proxy name -> host:port it listens
 * on) and the gateway's TOXIPROXY_URL / TOXIPROXY_LINK_PREFIX, so its /api/admin/links can slow or cut them.
 */
export function throughBrokerLinks(specs: readonly ServiceSpec[], links: readonly PlannedLink[], listen: Readonly<Record<string, string>>, toxiproxyUrl: string, prefix = LOCAL_LINK_PREFIX): ServiceSpec[] {
  return specs.map((spec) => {
    if (spec.public) return { ...spec, env: { ...spec.env, ...brokerLinkEnv(toxiproxyUrl, prefix) } };
    const link = links.find((candidate) => candidate.service === spec.name);
    if (!link) return spec;
    const address = listen[link.proxy];
    if (!address) throw new Error(`no address for the proxy ${link.proxy}`);
    return { ...spec, env: { ...spec.env, RABBITMQ_URL: throughProxy(spec.env.RABBITMQ_URL as string, address) } };
  });
}

/** For the banner: `order-rabbitmq 127.0.0.1:40123 → 127.0.0.1:5672`. */
export const linkLines = (links: readonly PlannedLink[], listen: Readonly<Record<string, string>>): string[] =>
  links.map((link) => `${link.proxy} ${listen[link.proxy] ?? '?'} → ${link.upstream}`);
