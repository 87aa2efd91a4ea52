// The console's shell: sign-in, then the catalog and order form, the live order list, the selected order's saga and,
// for admins, the fault rules, the broker links and the system view. Holds the session and the one live stream.
import { html } from 'lit';
import { api, UNAUTHORIZED_EVENT } from '../api';
import { openOrderStream, type StreamState } from '../order-stream';
import { clearSession, isAdmin, loadSession, saveSession, type Session } from '../session';
import type { OrderSummary, Product } from '../types';
import type { FaultPanel } from './fault-panel';
import type { SystemPanel } from './system-panel';
import type { PlacedOrder } from './order-form';
import { LightElement } from './light-element';
import './fault-panel';
import './link-panel';
import './order-detail';
import './order-form';
import './order-list';
import './sign-in-form';
import './system-panel';

/** At most one re-read of the catalog, the fault rules and the system view per second, however many orders change. */
const SETTLE_MS = 1_000;

export class SagaConsole extends LightElement {
  static override properties = {
    session: { state: true },
    products: { state: true },
    orders: { state: true },
    selected: { state: true },
    streamState: { state: true },
    announcement: { state: true },
  };
  declare session: Session | undefined;
  declare products: Product[];
  declare orders: OrderSummary[];
  declare selected: string | undefined;
  declare streamState: StreamState;
  declare announcement: string;
  private closeStream: (() => void) | undefined;
  private settleTimer: number | undefined;
  private readonly onUnauthorized = () => this.signOut();

  constructor() {
    super();
    this.session = loadSession();
    this.products = [];
    this.orders = [];
    this.streamState = 'closed';
    this.announcement = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener(UNAUTHORIZED_EVENT, this.onUnauthorized);
    if (this.session) this.start(this.session);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener(UNAUTHORIZED_EVENT, this.onUnauthorized);
    this.closeStream?.();
  }

  private start(session: Session): void {
    this.closeStream?.();
    void this.loadProducts();
    this.closeStream = openOrderStream(session, {
      // (Re)subscribed: the list is read again, so nothing that changed while disconnected is missed.
      onReady: () => void this.loadOrders(),
      onOrder: (order) => this.changed(order),
      onState: (state) => {
        this.streamState = state;
      },
    });
  }

  private async loadProducts(): Promise<void> {
    if (!this.session) return;
    this.products = (await api<{ items: Product[] }>(this.session, '/api/inventory/products').catch(() => ({ items: this.products }))).items;
  }

  private async loadOrders(): Promise<void> {
    if (!this.session) return;
    const page = await api<{ items: OrderSummary[] }>(this.session, '/api/orders?limit=50').catch(() => undefined);
    if (page) for (const order of page.items) this.upsert(order);
  }

  private upsert(order: OrderSummary): void {
    const others = this.orders.filter((known) => known.orderId !== order.orderId);
    this.orders = [...others, order].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, 200);
  }

  /** A pushed change: the row, the open saga (through its version) and, a moment later, the stock and the fault counts. */
  private changed(order: OrderSummary): void {
    const before = this.orders.find((known) => known.orderId === order.orderId);
    // An event older than what is shown (pushed out of order across reconnects) changes nothing.
    if (before && before.updatedAt > order.updatedAt) return;
    this.upsert(order);
    if (before?.status !== order.status) this.announcement = `Order ${order.orderId.slice(0, 8)} is ${order.status}${order.failureReason ? ` (${order.failureReason})` : ''}`;
    this.settleTimer ??= window.setTimeout(() => {
      this.settleTimer = undefined;
      void this.loadProducts();
      void this.querySelector<FaultPanel>('fault-panel')?.refresh();
      void this.querySelector<SystemPanel>('system-panel')?.refresh();
    }, SETTLE_MS);
  }

  private signedIn(session: Session): void {
    saveSession(session);
    this.session = session;
    this.orders = [];
    this.selected = undefined;
    this.start(session);
  }

  private signOut(): void {
    this.closeStream?.();
    this.closeStream = undefined;
    clearSession();
    this.session = undefined;
    this.orders = [];
    this.selected = undefined;
    this.streamState = 'closed';
  }

  private placed(orders: PlacedOrder[]): void {
    const now = new Date().toISOString();
    for (const order of orders) {
      if (!this.orders.some((known) => known.orderId === order.orderId)) {
        this.upsert({ ...order, status: 'PENDING', customerId: this.session?.username ?? '', items: [], createdAt: now, updatedAt: '' });
      }
    }
    this.selected = orders.at(-1)?.orderId ?? this.selected;
  }

  override render() {
    const session = this.session;
    const selected = this.orders.find((order) => order.orderId === this.selected);
    return html`
      <header class="top">
        <h1>saga console</h1>
        ${session
          ? html`<p class="who">Signed in as <strong data-testid="who">${session.username}</strong>${isAdmin(session) ? ' (admin)' : ''}
              <button type="button" class="secondary" @click=${this.signOut}>Sign out</button></p>`
          : ''}
        <nav aria-label="More"><a href="/api/docs">API reference</a></nav>
      </header>
      <main>
        ${session
          ? html`<div class="grid">
              <div class="col">
                <order-form .session=${session} .products=${this.products} @orders-placed=${(e: CustomEvent<PlacedOrder[]>) => this.placed(e.detail)}></order-form>
                ${isAdmin(session) ? html`<fault-panel .session=${session}></fault-panel><link-panel .session=${session}></link-panel>` : ''}
              </div>
              <div class="col">
                <order-list .orders=${this.orders} .selected=${this.selected} .streamState=${this.streamState} .announcement=${this.announcement}
                  @order-selected=${(e: CustomEvent<string>) => { this.selected = e.detail; }}></order-list>
                <order-detail .session=${session} .orderId=${this.selected} .version=${selected ? `${selected.updatedAt}|${selected.changedAt ?? ''}` : undefined}></order-detail>
              </div>
            </div>
            ${isAdmin(session) ? html`<system-panel .session=${session} .products=${this.products} .orders=${this.orders} @catalog-stale=${() => void this.loadProducts()}></system-panel>` : ''}`
          : html`<sign-in-form @signed-in=${(e: CustomEvent<Session>) => this.signedIn(e.detail)}></sign-in-form>`}
      </main>
    `;
  }
}
customElements.define('saga-console', SagaConsole);
