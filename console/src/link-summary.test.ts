// A broker link in words: ok, slowed (latency ± jitter, or another toxic by name), cut (wins over toxics), and action messages.
import { actionMessage, isBroken, linkState, linkTitle } from './link-summary';
import type { BrokerLink, LinkToxic } from './types';

const latency = (ms: number, jitter = 0): LinkToxic => ({ name: 'latency', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: ms, jitter } });
const link = (overrides: Partial<BrokerLink> = {}): BrokerLink => ({
  name: 'order-rabbitmq',
  service: 'order',
  broker: 'rabbitmq',
  proxy: 'order-rabbitmq',
  listen: '127.0.0.1:40001',
  upstream: '127.0.0.1:5672',
  enabled: true,
  toxics: [],
  ...overrides,
});

describe('link summary', () => {
  it('names the link by its service and broker', () => {
    expect(linkTitle(link())).toBe('order → RabbitMQ');
    expect(linkTitle(link({ broker: 'nats' }))).toBe('order → nats');
  });

  it('says ok, slowed by how much, or cut, cut winning over toxics', () => {
    expect(linkState(link())).toEqual({ state: 'ok', text: 'ok' });
    expect(linkState(link({ toxics: [latency(400, 100)] }))).toEqual({ state: 'slowed', text: 'slowed: +400 ms ± 100 ms' });
    expect(linkState(link({ toxics: [latency(50)] }))).toEqual({ state: 'slowed', text: 'slowed: +50 ms' });
    const bandwidth: LinkToxic = { name: 'slow-pipe', type: 'bandwidth', stream: 'upstream', toxicity: 1, attributes: { rate: 10 } };
    expect(linkState(link({ toxics: [bandwidth] }))).toEqual({ state: 'slowed', text: 'slowed: bandwidth toxic slow-pipe' });
    expect(linkState(link({ enabled: false }))).toEqual({ state: 'cut', text: 'cut' });
    expect(linkState(link({ enabled: false, toxics: [latency(400)] }))).toEqual({ state: 'cut', text: 'cut (then +400 ms)' });
  });

  it('has something to restore only when slowed or cut', () => {
    expect(isBroken(link())).toBe(false);
    expect(isBroken(link({ toxics: [latency(1)] }))).toBe(true);
    expect(isBroken(link({ enabled: false }))).toBe(true);
  });

  it('words what each action did', () => {
    expect(actionMessage('latency', link({ toxics: [latency(400, 100)] }))).toBe('order → RabbitMQ slowed: +400 ms ± 100 ms.');
    expect(actionMessage('cut', link({ enabled: false }))).toBe('order → RabbitMQ cut: order loses its RabbitMQ connection until restored.');
    expect(actionMessage('restore', link())).toBe('order → RabbitMQ restored: ok.');
  });
});
