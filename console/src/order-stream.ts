// The live order feed: GET /api/orders/stream read with fetch (EventSource cannot send a bearer token); it reconnects
// when the stream ends or breaks (the server's `retry`, backing off on errors). No polling: the server pushes.
import { UNAUTHORIZED_EVENT } from './api';
import type { Session } from './session';
import { SseParser } from './sse-parser';
import type { OrderSummary } from './types';

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface OrderStreamHandlers {
  /** The stream is (again) subscribed: reload what may have changed while it was not. */
  onReady(): void;
  onOrder(order: OrderSummary): void;
  onState(state: StreamState): void;
}

const MAX_BACKOFF_MS = 30_000;

export function openOrderStream(session: Session, handlers: OrderStreamHandlers): () => void {
  const abort = new AbortController();
  let retryMs = 3_000;
  let failures = 0;

  const readOnce = async (): Promise<void> => {
    const response = await fetch('/api/orders/stream', { headers: { authorization: `Bearer ${session.token}`, accept: 'text/event-stream' }, signal: abort.signal, cache: 'no-store' });
    if (response.status === 401) {
      window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
      abort.abort();
      return;
    }
    if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
    const parser = new SseParser();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const event of parser.push(value)) {
        if (event.event === 'ready') {
          failures = 0;
          handlers.onState('live');
          handlers.onReady();
        } else if (event.event === 'order') {
          handlers.onOrder(JSON.parse(event.data) as OrderSummary);
        }
      }
      retryMs = parser.retryMs ?? retryMs;
    }
  };

  void (async () => {
    handlers.onState('connecting');
    while (!abort.signal.aborted) {
      try {
        await readOnce();
      } catch {
        failures += 1;
      }
      if (abort.signal.aborted) break;
      handlers.onState('reconnecting');
      const wait = Math.min(MAX_BACKOFF_MS, retryMs * 2 ** Math.min(failures, 4));
      await new Promise((resolve) => setTimeout(resolve, failures === 0 ? retryMs : wait));
    }
    handlers.onState('closed');
  })();
  return () => abort.abort();
}
