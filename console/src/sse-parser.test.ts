// The SSE framing the console reads GET /api/orders/stream with: events split across chunks, CRLF, comments, retry.
import { SseParser } from './sse-parser';

describe('SseParser', () => {
  it('yields whole events only, however the stream is cut into chunks', () => {
    const parser = new SseParser();
    const text = 'retry: 3000\n\nevent: ready\ndata: {"scope":"own"}\n\n: heartbeat\n\nevent: order\nid: a@1\ndata: {"orderId":"a"}\n\n';
    const events = [...text].flatMap((char) => parser.push(char));
    expect(events).toEqual([
      { event: 'ready', data: '{"scope":"own"}' },
      { event: 'order', data: '{"orderId":"a"}', id: 'a@1' },
    ]);
    expect(parser.retryMs).toBe(3000);
  });

  it('joins several data lines, accepts CRLF and CR, and names an unnamed event "message"', () => {
    const parser = new SseParser();
    expect(parser.push('data: one\r\ndata: two\r\n\r\ndata:x\r\r')).toEqual([
      { event: 'message', data: 'one\ntwo' },
      { event: 'message', data: 'x' },
    ]);
  });

  it('ignores a retry that is not a number, and an event without data', () => {
    const parser = new SseParser();
    expect(parser.push('retry: soon\n\nevent: order\n\n')).toEqual([]);
    expect(parser.retryMs).toBeUndefined();
  });
});
