// One order's saga: the T1…T4 / C1…C4 diagram, every history entry in order with timings, the Kafka events
// (choreography) and, for admins, the trace waterfall. Reloaded when the live stream says the order changed.
import { html } from 'lit';
import { api, ApiError, euros } from '../api';
import { COMPENSATIONS, FORWARD, historyRows, stepCells, type StepCell } from '../saga-steps';
import { isAdmin, type Session } from '../session';
import type { OrderView, TimelineEvent, Trace } from '../types';
import { LightElement } from './light-element';
import './trace-waterfall';

const STATE_LABEL: Record<StepCell['state'], string> = { idle: 'not run', running: 'in progress', done: 'succeeded', failed: 'failed', 'timed-out': 'timed out' };

export class OrderDetail extends LightElement {
  static override properties = {
    session: { attribute: false },
    orderId: { attribute: false },
    version: { attribute: false },
    order: { state: true },
    events: { state: true },
    trace: { state: true },
    note: { state: true },
  };
  declare session: Session;
  declare orderId: string | undefined;
  /** The order's last pushed change: a new value reloads the order. */
  declare version: string | undefined;
  declare order: OrderView | undefined;
  declare events: TimelineEvent[];
  declare trace: Trace | undefined;
  declare note: string;
  private loading: AbortController | undefined;

  constructor() {
    super();
    this.events = [];
    this.note = '';
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if ((changed.has('orderId') || changed.has('version')) && this.orderId) void this.load(this.orderId, changed.has('orderId'));
  }

  private async load(orderId: string, fresh: boolean): Promise<void> {
    this.loading?.abort();
    const loading = (this.loading = new AbortController());
    if (fresh) {
      this.order = undefined;
      this.events = [];
      this.trace = undefined;
    }
    const path = `/api/orders/${encodeURIComponent(orderId)}`;
    try {
      const order = await api<OrderView>(this.session, path, { signal: loading.signal });
      const events = order.sagaMode === 'choreography' ? (await api<{ events: TimelineEvent[] }>(this.session, `${path}/timeline`, { signal: loading.signal })).events : [];
      let trace: Trace | undefined;
      let note = '';
      if (isAdmin(this.session)) {
        trace = await api<Trace>(this.session, `/api/admin/traces/${encodeURIComponent(orderId)}`, { signal: loading.signal }).catch((err: unknown) => {
          note = err instanceof ApiError && err.status === 404 ? 'No trace kept for this order (tracing off, or aged out).' : 'The trace could not be read.';
          return undefined;
        });
      }
      if (loading.signal.aborted) return;
      Object.assign(this, { order, events, trace, note });
    } catch (err) {
      if (!loading.signal.aborted) this.note = err instanceof ApiError ? `${err.message} (${err.code})` : 'The order could not be read.';
    }
  }

  private cells(cells: StepCell[]) {
    return html`<ol class="steps">
      ${cells.map(
        (cell) => html`<li class="step ${cell.state}" data-step=${cell.step}>
          <span class="code">${cell.code}</span> <span class="label">${cell.label}</span>
          <span class="state">${STATE_LABEL[cell.state]}${cell.durationMs !== undefined ? html`, ${cell.durationMs} ms` : ''}</span>
        </li>`,
      )}
    </ol>`;
  }

  override render() {
    if (!this.orderId) return html`<section class="panel"><h2>Saga</h2><p class="muted">Choose an order to see its saga.</p></section>`;
    const order = this.order;
    if (!order) return html`<section class="panel"><h2>Saga</h2><p class="muted" role="status">${this.note || 'Loading…'}</p></section>`;
    const rows = historyRows(order.history);
    return html`
      <section class="panel saga" aria-labelledby="saga-title" data-order-id=${order.orderId}>
        <h2 id="saga-title">Saga of order ${order.orderId.slice(0, 8)}</h2>
        <p><span class="badge ${order.status.toLowerCase()}" data-testid="detail-status">${order.status}</span>
          ${order.sagaMode}, ${euros(order.totalCents)}, ${order.items.map((item) => `${item.quantity}× ${item.sku}`).join(', ')}
          ${order.failureReason ? html`<br><strong>Reason:</strong> ${order.failureReason}` : ''}</p>
        <div class="diagram" role="group" aria-label="Saga steps">
          <h3>Forward steps</h3>
          ${this.cells(stepCells(order.history, FORWARD))}
          <h3>Compensations</h3>
          ${this.cells(stepCells(order.history, COMPENSATIONS))}
        </div>
        <div class="scroll"><table class="history" data-testid="history">
          <caption>History, in order (${rows.length} entries)</caption>
          <thead><tr><th scope="col">#</th><th scope="col">Step</th><th scope="col">Status</th><th scope="col">At (+ms)</th><th scope="col">Took</th><th scope="col">Detail</th></tr></thead>
          <tbody>
            ${rows.map(
              (row, i) => html`<tr class="entry ${row.status.toLowerCase()}" data-step=${row.step}>
                <td class="num">${i + 1}</td><th scope="row">${row.code} ${row.step}</th><td>${row.status}</td>
                <td class="num">+${row.offsetMs}</td><td class="num">${row.tookMs === undefined ? '' : `${row.tookMs} ms`}</td><td>${row.detail ?? ''}</td>
              </tr>`,
            )}
          </tbody>
        </table></div>
        ${this.events.length
          ? html`<div class="scroll"><table class="kafka">
              <caption>Kafka events (choreography)</caption>
              <thead><tr><th scope="col">Event</th><th scope="col">Topic</th><th scope="col">Partition</th><th scope="col">Offset</th><th scope="col">At</th></tr></thead>
              <tbody>${this.events.map((event) => html`<tr><th scope="row">${event.type}</th><td>${event.topic}</td><td class="num">${event.partition}</td><td class="num">${event.offset}</td><td>${new Date(event.occurredAt).toLocaleTimeString()}</td></tr>`)}</tbody>
            </table></div>`
          : ''}
        ${this.trace ? html`<div class="scroll"><trace-waterfall .trace=${this.trace}></trace-waterfall></div>` : ''}
        ${this.note ? html`<p class="muted">${this.note}</p>` : ''}
      </section>
    `;
  }
}
customElements.define('order-detail', OrderDetail);
