// A broker link in words, for the Broker links panel: ok, slowed (by how much) or cut, and what an action did.
import type { BrokerLink, LinkToxic } from './types';

export type LinkState = 'ok' | 'slowed' | 'cut';

const brokerNames: Record<string, string> = { rabbitmq: 'RabbitMQ', kafka: 'Kafka' };

/** `order → RabbitMQ`. */
export const linkTitle = (link: BrokerLink): string => `${link.service} → ${brokerNames[link.broker] ?? link.broker}`;

function toxicText(toxic: LinkToxic): string {
  if (toxic.type !== 'latency') return `${toxic.type} toxic ${toxic.name}`;
  const jitter = toxic.attributes.jitter ?? 0;
  return `+${toxic.attributes.latency ?? 0} ms${jitter > 0 ? ` ± ${jitter} ms` : ''}`;
}

/** Cut wins (nothing passes); else slowed by its toxics; else ok. */
export function linkState(link: BrokerLink): { state: LinkState; text: string } {
  const toxics = link.toxics.map(toxicText).join(', ');
  if (!link.enabled) return { state: 'cut', text: toxics ? `cut (then ${toxics})` : 'cut' };
  if (toxics) return { state: 'slowed', text: `slowed: ${toxics}` };
  return { state: 'ok', text: 'ok' };
}

/** Whether Restore has anything to undo. */
export const isBroken = (link: BrokerLink): boolean => linkState(link).state !== 'ok';

/** What the status line says once an action was answered, with the link as it is now. */
export function actionMessage(action: 'latency' | 'cut' | 'restore', link: BrokerLink): string {
  const title = linkTitle(link);
  if (action === 'cut') return `${title} cut: ${link.service} loses its ${brokerNames[link.broker] ?? link.broker} connection until restored.`;
  if (action === 'restore') return `${title} restored: ${linkState(link).text}.`;
  return `${title} ${linkState(link).text}.`;
}
