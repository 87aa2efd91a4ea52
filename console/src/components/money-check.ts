// Admin: the money invariant for the orders on screen, from the provider's books (GET /api/admin/provider/charges per
// order). Each settled order's books are read once, again when the stream says the order changed, and all on Refresh.
import { html } from 'lit';
import { api, ApiError, euros } from '../api';
import { booksToRead, checkMoney, versionOf, type MoneyCheck } from '../money-invariant';
import type { Session } from '../session';
import type { LedgerCharge, OrderSummary } from '../types';
import { LightElement } from './light-element';

/** Reads in flight at once: the orders of a burst are read without crowding the caller's rate limit. */
const CONCURRENCY = 4;

const STATE_TEXT: Record<MoneyCheck['state'], string> = {
  balanced: 'Balanced: the provider holds exactly the approved totals.',
  mismatch: 'MISMATCH: the provider\'s books disagree with the orders.',
  incomplete: 'Not complete yet: some settled orders\' books are still being read.',
  empty: 'No settled order on screen yet.',
};

export class MoneyCheckPanel extends LightElement {
  static override properties = { session: { attribute: false }, orders: { attribute: false }, note: { state: true } };
  declare session: Session;
  declare orders: OrderSummary[];
  declare note: string;
  private readonly books = new Map<string, LedgerCharge[]>();
  /** The version of each order its books were read at (versionOf). */
  private readonly readAt = new Map<string, string>();
  private readonly reading = new Set<string>();
  private rerun = false;

  constructor() {
    super();
    this.orders = [];
    this.note = '';
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('orders')) void this.read(false);
  }

  /** Re-reads every settled order's books (Refresh); otherwise only the orders that changed since their last read. */
  async refresh(): Promise<void> {
    await this.read(true);
  }

  private async read(force: boolean): Promise<void> {
    const stale = booksToRead(this.orders, this.readAt, force);
    const queue = stale.filter((orderId) => !this.reading.has(orderId));
    // An order that changed while its books were being read is read again once that read is done.
    if (queue.length < stale.length) this.rerun = true;
    if (queue.length === 0) return;
    queue.forEach((orderId) => this.reading.add(orderId));
    const failures: string[] = [];
    const worker = async () => {
      for (let orderId = queue.shift(); orderId !== undefined; orderId = queue.shift()) {
        const order = this.orders.find((known) => known.orderId === orderId);
        try {
          const answer = await api<{ items: LedgerCharge[] }>(this.session, `/api/admin/provider/charges?orderId=${encodeURIComponent(orderId)}`);
          this.books.set(orderId, answer.items);
        } catch (err) {
          failures.push(err instanceof ApiError ? err.code : 'network error');
        } finally {
          // A failed read is tried again when the order changes or on Refresh, not at every event of a burst.
          if (order) this.readAt.set(orderId, versionOf(order));
          this.reading.delete(orderId);
          this.requestUpdate();
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    this.note = failures.length ? `The books of ${failures.length} order${failures.length === 1 ? '' : 's'} could not be read (${[...new Set(failures)].join(', ')}); Refresh to try again.` : '';
    if (this.rerun) {
      this.rerun = false;
      await this.read(false);
    }
  }

  override render() {
    const check = checkMoney(this.orders, this.books);
    return html`
      <section class="subpanel" aria-labelledby="money-title">
        <h3 id="money-title">Money on screen</h3>
        <p class="money ${check.state}" data-testid="money-state" data-state=${check.state}>${STATE_TEXT[check.state]}</p>
        <table class="money-table">
          <caption class="visually-hidden">Approved totals against the provider's books</caption>
          <tbody>
            <tr><th scope="row">Approved orders on screen</th><td class="num" data-testid="money-approved">${euros(check.approvedCents)}</td></tr>
            <tr><th scope="row">Captured − refunded at the provider</th><td class="num" data-testid="money-net">${euros(check.netCents)}</td></tr>
            <tr><th scope="row">Settled orders checked</th><td class="num">${check.counted}${check.unread ? ` (${check.unread} unread)` : ''}</td></tr>
            <tr><th scope="row">Pending, not counted</th><td class="num">${check.pending}</td></tr>
          </tbody>
        </table>
        ${check.mismatches.length
          ? html`<table data-testid="money-mismatches">
              <caption>Orders whose books disagree</caption>
              <thead><tr><th scope="col">Order</th><th scope="col">Status</th><th scope="col">Should hold</th><th scope="col">Provider holds</th></tr></thead>
              <tbody>${check.mismatches.map((m) => html`<tr><th scope="row">${m.orderId.slice(0, 8)}</th><td>${m.status}</td><td class="num">${euros(m.expectedCents)}</td><td class="num">${euros(m.netCents)}</td></tr>`)}</tbody>
            </table>`
          : ''}
        ${this.note ? html`<p class="muted">${this.note}</p>` : ''}
      </section>
    `;
  }
}
customElements.define('money-check', MoneyCheckPanel);
