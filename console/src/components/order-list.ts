// The orders, newest first, each row updated by the live stream (no polling); a row opens the order's saga.
import { html } from 'lit';
import { euros } from '../api';
import type { StreamState } from '../order-stream';
import type { OrderSummary } from '../types';
import { LightElement } from './light-element';

const STREAM_LABEL: Record<StreamState, string> = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', closed: 'offline' };

export class OrderList extends LightElement {
  static override properties = { orders: { attribute: false }, selected: { attribute: false }, streamState: { attribute: false }, announcement: { attribute: false } };
  declare orders: OrderSummary[];
  declare selected: string | undefined;
  declare streamState: StreamState;
  /** The last change, read out by screen readers (a polite live region). */
  declare announcement: string;

  constructor() {
    super();
    this.orders = [];
    this.streamState = 'connecting';
    this.announcement = '';
  }

  override render() {
    return html`
      <section class="panel" aria-labelledby="orders-title">
        <div class="panel-head">
          <h2 id="orders-title">Orders</h2>
          <span class="stream ${this.streamState}" data-testid="stream-state">updates: ${STREAM_LABEL[this.streamState]}</span>
        </div>
        <p class="visually-hidden" aria-live="polite">${this.announcement}</p>
        ${this.orders.length === 0
          ? html`<p class="muted">No orders yet: place one.</p>`
          : html`<div class="scroll"><table class="orders">
              <thead><tr><th scope="col">Order</th><th scope="col">Placed</th><th scope="col">Mode</th><th scope="col">Total</th><th scope="col">Status</th></tr></thead>
              <tbody>
                ${this.orders.map(
                  (order) => html`<tr class=${order.orderId === this.selected ? 'selected' : ''} data-order-id=${order.orderId}>
                    <th scope="row"><button type="button" class="link" aria-pressed=${order.orderId === this.selected ? 'true' : 'false'} @click=${() => this.emit('order-selected', order.orderId)}>${order.orderId.slice(0, 8)}</button>${order.customerId ? html` <span class="muted">${order.customerId}</span>` : ''}</th>
                    <td>${new Date(order.createdAt).toLocaleTimeString()}</td>
                    <td>${order.sagaMode}</td>
                    <td>${euros(order.totalCents)}</td>
                    <td><span class="badge ${order.status.toLowerCase()}" data-testid="order-status">${order.status}</span>${order.failureReason ? html` <span class="muted">${order.failureReason}</span>` : ''}</td>
                  </tr>`,
                )}
              </tbody>
            </table></div>`}
      </section>
    `;
  }
}
customElements.define('order-list', OrderList);
