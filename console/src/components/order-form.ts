// Place an order from the live catalog: quantities, saga mode, card; or 20 mixed orders at once.
import { html } from 'lit';
import { api, ApiError, euros } from '../api';
import type { Session } from '../session';
import type { OrderLine, Product, SagaMode } from '../types';
import { LightElement } from './light-element';

/** The payment provider's test tokens (services/payment-provider/README.md). */
export const CARDS = [
  { token: 'tok_visa', label: 'Visa: succeeds' },
  { token: 'tok_mastercard', label: 'Mastercard: succeeds' },
  { token: 'tok_chargeDeclined', label: 'declined (generic)' },
  { token: 'tok_insufficientFunds', label: 'declined: insufficient funds' },
  { token: 'tok_expiredCard', label: 'declined: expired card' },
];

export interface PlacedOrder {
  orderId: string;
  status: string;
  sagaMode: SagaMode;
  totalCents: number;
}

interface OrderRequest {
  items: OrderLine[];
  sagaMode: SagaMode;
  paymentToken: string;
}

export class OrderForm extends LightElement {
  static override properties = { session: { attribute: false }, products: { attribute: false }, quantities: { state: true }, message: { state: true }, busy: { state: true } };
  declare session: Session;
  declare products: Product[];
  declare quantities: Record<string, number>;
  declare message: string;
  declare busy: boolean;

  constructor() {
    super();
    this.products = [];
    this.quantities = {};
    this.message = '';
    this.busy = false;
  }

  private quantityOf(product: Product, index: number): number {
    return this.quantities[product.sku] ?? (index === 0 ? 1 : 0);
  }

  private async place(requests: OrderRequest[]): Promise<void> {
    this.busy = true;
    this.message = requests.length > 1 ? `Placing ${requests.length} orders…` : 'Placing the order…';
    const placed: PlacedOrder[] = [];
    const refused: string[] = [];
    // Four at a time: quick, and well inside the gateway's per-user rate limit.
    const queue = [...requests];
    const worker = async () => {
      for (let request = queue.shift(); request; request = queue.shift()) {
        try {
          placed.push(await api<PlacedOrder>(this.session, '/api/orders', { method: 'POST', body: request }));
        } catch (err) {
          refused.push(err instanceof ApiError ? err.code : 'NETWORK_ERROR');
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    this.busy = false;
    this.message = `${placed.length} placed${refused.length ? `, ${refused.length} refused (${[...new Set(refused)].join(', ')})` : ''}.`;
    if (placed.length) this.emit('orders-placed', placed);
  }

  private submit(event: SubmitEvent): void {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const items = this.products.map((product, index) => ({ sku: product.sku, quantity: this.quantityOf(product, index) })).filter((line) => line.quantity > 0);
    if (items.length === 0) {
      this.message = 'Choose a quantity for at least one product.';
      return;
    }
    void this.place([{ items, sagaMode: form.get('sagaMode') as SagaMode, paymentToken: String(form.get('card')) }]);
  }

  /** Both saga styles, every test card, random baskets (the scarce SKU-RARE runs out): every path of the saga at once. */
  private placeMixed(): void {
    const pick = <T,>(list: T[]): T => list[Math.floor(Math.random() * list.length)] as T;
    const requests = Array.from({ length: 20 }, (_, i): OrderRequest => {
      const lines = new Map<string, number>();
      for (let n = 1 + Math.floor(Math.random() * 2); n > 0; n--) {
        const product = pick(this.products);
        if (product) lines.set(product.sku, 1 + Math.floor(Math.random() * 3));
      }
      return { items: [...lines].map(([sku, quantity]) => ({ sku, quantity })), sagaMode: i % 2 === 0 ? 'orchestration' : 'choreography', paymentToken: CARDS[i % CARDS.length]?.token ?? 'tok_visa' };
    });
    void this.place(requests.filter((request) => request.items.length > 0));
  }

  override render() {
    return html`
      <section class="panel" aria-labelledby="order-title">
        <h2 id="order-title">Place an order</h2>
        <form @submit=${this.submit}>
          <table class="catalog">
            <caption>Catalog (live stock)</caption>
            <thead><tr><th scope="col">Product</th><th scope="col">Price</th><th scope="col">In stock</th><th scope="col">Quantity</th></tr></thead>
            <tbody>
              ${this.products.map(
                (product, index) => html`<tr>
                  <th scope="row">${product.name} <span class="muted">${product.sku}</span></th>
                  <td>${euros(product.priceCents)}</td>
                  <td>${product.available}</td>
                  <td><input type="number" min="0" max="1000" class="qty" aria-label="Quantity of ${product.name}" .value=${String(this.quantityOf(product, index))}
                    @change=${(e: Event) => { this.quantities = { ...this.quantities, [product.sku]: Math.max(0, Number((e.target as HTMLInputElement).value) || 0) }; }}></td>
                </tr>`,
              )}
            </tbody>
          </table>
          <fieldset>
            <legend>Saga mode</legend>
            <label><input type="radio" name="sagaMode" value="orchestration" checked> orchestration (RabbitMQ commands)</label>
            <label><input type="radio" name="sagaMode" value="choreography"> choreography (Kafka events)</label>
          </fieldset>
          <label for="card">Card (test token)</label>
          <select id="card" name="card">${CARDS.map((card) => html`<option value=${card.token}>${card.token}: ${card.label}</option>`)}</select>
          <div class="actions">
            <button type="submit" ?disabled=${this.busy}>Place order</button>
            <button type="button" class="secondary" ?disabled=${this.busy || this.products.length === 0} @click=${this.placeMixed}>Place 20 mixed orders</button>
          </div>
        </form>
        <p class="status-line" role="status">${this.message}</p>
      </section>
    `;
  }
}
customElements.define('order-form', OrderForm);
