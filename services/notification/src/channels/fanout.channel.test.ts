// Several channels at once, and the log channel's line.
import { Writable } from 'node:stream';
import { createLogger } from '@saga/platform';
import { sampleNotification } from '../testing/sample-notification';
import { combineChannels } from './fanout.channel';
import { LogChannel } from './log.channel';
import type { NotificationChannel } from './notification-channel.port';

const channel = (name: string, fail = false): NotificationChannel & { sent: string[] } => {
  const sent: string[] = [];
  return {
    name,
    sent,
    async send(notification) {
      if (fail) throw new Error(`${name} is down`);
      sent.push(notification.notificationId);
    },
  };
};

describe('combineChannels', () => {
  it('returns a single channel unchanged', () => {
    const only = channel('only');
    expect(combineChannels([only])).toBe(only);
  });

  it('refuses an empty list', () => {
    expect(() => combineChannels([])).toThrow('at least one notification channel');
  });

  it('sends through every channel and names them all', async () => {
    const [a, b] = [channel('a'), channel('b')];
    const both = combineChannels([a, b]);
    await both.send(sampleNotification());
    expect(both.name).toBe('a+b');
    expect([a.sent, b.sent]).toEqual([[sampleNotification().notificationId], [sampleNotification().notificationId]]);
  });

  it('fails when one channel fails, after trying the others', async () => {
    const [a, b] = [channel('a', true), channel('b')];
    await expect(combineChannels([a, b]).send(sampleNotification())).rejects.toThrow('a: a is down');
    expect(b.sent).toHaveLength(1);
  });
});

describe('LogChannel', () => {
  it('writes one structured line with the ids and the text', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    await new LogChannel(createLogger({ service: 'notification', destination })).send(sampleNotification());
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      service: 'notification',
      msg: 'notification delivered',
      channel: 'log',
      orderId: 'order-1',
      sagaId: 'saga-1',
      deliveryKey: 'order-1:ORDER_CONFIRMED',
      subject: 'Your order order-1 is confirmed',
    });
  });
});
