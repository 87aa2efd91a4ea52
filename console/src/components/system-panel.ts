// Admin: see the system (GET /api/admin/system): each service's instances and health, its breakers, outbox backlog and
// dead letters; then the letters waiting with their re-drive, stock per SKU and the money invariant of the orders on screen.
import { html } from 'lit';
import { api, ApiError } from '../api';
import { LatestRead } from '../latest-read';
import type { Session } from '../session';
import { breakerRows, breakerText, deadLetterText, headline, outboxText } from '../system-summary';
import type { OrderSummary, Product, ServiceView, SystemView } from '../types';
import type { DeadLetterList } from './dead-letter-list';
import { LightElement } from './light-element';
import type { MoneyCheckPanel } from './money-check';
import './dead-letter-list';
import './money-check';

export class SystemPanel extends LightElement {
  static override properties = { session: { attribute: false }, products: { attribute: false }, orders: { attribute: false }, view: { state: true }, message: { state: true } };
  declare session: Session;
  declare products: Product[];
  declare orders: OrderSummary[];
  declare view: SystemView | undefined;
  declare message: string;
  /** A refresh after a stream event and one from the button can overlap: the newest answer wins. */
  private readonly reads = new LatestRead();
  private inFlight: Promise<void> | undefined;
  private again = false;

  constructor() {
    super();
    this.products = [];
    this.orders = [];
    this.message = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  /** On demand, and a moment after the stream reports changes (the shell calls it); calls in flight are folded into one more. */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = this.load().finally(() => {
      this.inFlight = undefined;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.inFlight;
  }

  private async load(): Promise<void> {
    await this.updateComplete;
    let waiting: number | undefined;
    const ticket = this.reads.start();
    try {
      const view = await api<SystemView>(this.session, '/api/admin/system');
      if (!this.reads.isLatest(ticket)) return;
      this.view = view;
      this.message = '';
      waiting = this.view.services.reduce((sum, service) => sum + (service.deadLetters.status === 'unavailable' ? 0 : service.deadLetters['dead-lettered']), 0);
    } catch (err) {
      if (!this.reads.isLatest(ticket)) return;
      this.message = err instanceof ApiError ? `The system view could not be read: ${err.message} (${err.code})` : 'The system view could not be read.';
    }
    await this.querySelector<DeadLetterList>('dead-letter-list')?.sync(waiting);
  }

  /** The Refresh button: everything, the books of every settled order on screen and the catalog (the shell's) too. */
  private refreshAll(): void {
    void this.refresh();
    void this.querySelector<MoneyCheckPanel>('money-check')?.refresh();
    this.emit('catalog-stale', undefined);
  }

  private serviceRow(service: ServiceView) {
    return html`<tr data-service=${service.name}>
      <th scope="row">${service.name}</th>
      <td><span class="badge ${service.state}" data-testid="service-state">${service.state}</span></td>
      <td><ul class="plain">
        ${service.instances.map((instance) => html`<li><span class="badge ${instance.state}">${instance.state}</span> ${instance.url}${instance.reason ? html` <span class="muted">${instance.reason}</span>` : ''}</li>`)}
        ${service.reason ? html`<li class="muted">${service.reason}</li>` : ''}
      </ul><span class="muted">from ${service.instancesFrom === 'registry' ? 'the registry' : 'its static URL'}</span></td>
      <td><ul class="plain">${breakerRows(service).map((row) => html`<li><span class="breaker ${row.breaker.state}">${breakerText(row)}</span></li>`)}</ul></td>
      <td>${outboxText(service.outbox)}</td>
      <td>${deadLetterText(service.deadLetters)}</td>
    </tr>`;
  }

  override render() {
    const view = this.view;
    const summary = view && headline(view);
    return html`
      <section class="panel system" aria-labelledby="system-title">
        <div class="panel-head">
          <h2 id="system-title">System</h2>
          <button type="button" class="secondary" @click=${() => this.refreshAll()}>Refresh system view</button>
        </div>
        <p class="status-line" role="status">${this.message || (summary ? html`<span class=${summary.healthy ? 'ok-text' : 'bad-text'} data-testid="system-headline">${summary.text}</span>` : 'Loading…')}</p>
        ${view
          ? html`<div class="scroll" tabindex="0" role="region" aria-label="Services (scrolls sideways on narrow screens)"><table class="services" data-testid="services">
              <caption>Services, checked at ${new Date(view.checkedAt).toLocaleTimeString()}</caption>
              <thead><tr><th scope="col">Service</th><th scope="col">Health</th><th scope="col">Instances</th><th scope="col">Breakers</th><th scope="col">Outbox</th><th scope="col">Dead letters</th></tr></thead>
              <tbody>${view.services.map((service) => this.serviceRow(service))}</tbody>
            </table></div>`
          : ''}
        <dead-letter-list .session=${this.session} @redriven=${() => void this.refresh()}></dead-letter-list>
        <div class="system-grid">
          <section class="subpanel" aria-labelledby="stock-title">
            <h3 id="stock-title">Stock per SKU</h3>
            <table data-testid="stock">
              <caption class="visually-hidden">Units available per SKU</caption>
              <thead><tr><th scope="col">SKU</th><th scope="col">Product</th><th scope="col" class="num">Available</th></tr></thead>
              <tbody>${this.products.map((product) => html`<tr data-sku=${product.sku}><th scope="row">${product.sku}</th><td>${product.name}</td><td class="num">${product.available}</td></tr>`)}</tbody>
            </table>
          </section>
          <money-check .session=${this.session} .orders=${this.orders}></money-check>
        </div>
      </section>
    `;
  }
}
customElements.define('system-panel', SystemPanel);
