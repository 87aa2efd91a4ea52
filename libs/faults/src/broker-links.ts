// Broker links: one Toxiproxy proxy per service and broker (`<prefix><service>-<broker>`), so one service's link can be
// slowed or cut alone. The names, the gateway's settings and the URL rewrite, shared by start:local, the chaos harness and the gateway.
import { field } from '@saga/platform';
import { z } from 'zod';

/**
 * Only RabbitMQ. A Kafka client bootstraps through any address, then connects to the address the broker advertises
 * (127.0.0.1:9092): a per-service proxy would carry the bootstrap request and nothing after it. Proxying Kafka per
 * service needs one broker listener per service, each advertising its proxy (docs/decisions/0023).
 */
export const linkBrokers = ['rabbitmq'] as const;
export type LinkBroker = (typeof linkBrokers)[number];

/** What a link name may look like (also what a proxy prefix is made of): lower-case letters, digits and dashes. */
export const LINK_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * The gateway's switch: with TOXIPROXY_URL it serves /api/admin/links over the proxies named
 * `<TOXIPROXY_LINK_PREFIX><service>-<broker>`, and no other proxy of that Toxiproxy (unset: 404).
 */
export const brokerLinkSettingsShape = {
  TOXIPROXY_URL: field.url({ protocols: ['http', 'https'] }).optional(),
  TOXIPROXY_LINK_PREFIX: z
    .string()
    .max(40)
    .regex(/^([a-z0-9][a-z0-9-]*)?$/, 'expected lower-case letters, digits and "-" (e.g. chaos-1234-)')
    .default(''),
};

export interface BrokerLink {
  /** `<service>-<broker>`, e.g. `order-rabbitmq`: what the API and the console call it. */
  name: string;
  service: string;
  broker: LinkBroker;
}

export const brokerLinkName = (service: string, broker: LinkBroker): string => `${service}-${broker}`;

/** Every link of these services, service by service. */
export function brokerLinksOf(services: readonly string[]): BrokerLink[] {
  return services.flatMap((service) => linkBrokers.map((broker) => ({ name: brokerLinkName(service, broker), service, broker })));
}

/** The Toxiproxy proxy that carries a link: its name under the deployment's prefix. */
export const proxyNameOf = (prefix: string, link: string): string => `${prefix}${link}`;

/** The environment that turns the gateway's links on (start:local and the e2e/chaos harness pass it the same way). */
export function brokerLinkEnv(toxiproxyUrl: string, prefix: string): Record<string, string> {
  return { TOXIPROXY_URL: toxiproxyUrl, TOXIPROXY_LINK_PREFIX: prefix };
}

/** `host:port` of a broker URL: what its proxy forwards to. */
export function upstreamOf(url: string, defaultPort: number): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || defaultPort}`;
}

/** The same URL (credentials, vhost, query) through a proxy listening on `listen` (host:port). */
export function throughProxy(url: string, listen: string): string {
  const parsed = new URL(url);
  parsed.host = listen;
  return parsed.toString();
}
