// Admin: fault rules per service (GET/POST/DELETE /api/admin/faults/{service}): add one, see how often each fired, clear.
import { html } from 'lit';
import { api, ApiError } from '../api';
import type { Session } from '../session';
import { LatestRead } from '../latest-read';
import type { FaultList } from '../types';
import { LightElement } from './light-element';

const SERVICES = ['payment', 'inventory', 'order', 'notification'] as const;
const EFFECTS = ['error', 'delay', 'timeout', 'crash-after-commit', 'duplicate'] as const;

export class FaultPanel extends LightElement {
  static override properties = { session: { attribute: false }, service: { state: true }, list: { state: true }, effect: { state: true }, operation: { state: true }, message: { state: true } };
  declare session: Session;
  declare service: (typeof SERVICES)[number];
  declare list: FaultList | undefined;
  declare effect: (typeof EFFECTS)[number];
  /** The chosen operation, kept here: a list landing while the user picks (another service's) must not reset it. */
  declare operation: string;
  declare message: string;
  /** A read started when an order changed may answer after the re-read that follows an added rule. */
  private readonly reads = new LatestRead();

  constructor() {
    super();
    this.service = 'payment';
    this.effect = 'error';
    this.operation = '';
    this.message = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  /** Re-reads the rules (their `triggered` counts): on demand and when an order changes, never on a timer. */
  async refresh(): Promise<void> {
    const ticket = this.reads.start();
    try {
      const list = await api<FaultList>(this.session, `/api/admin/faults/${this.service}`);
      if (!this.reads.isLatest(ticket)) return;
      this.list = list;
      if (!list.operations.some((op) => op.name === this.operation)) this.operation = list.operations[0]?.name ?? '';
    } catch (err) {
      if (!this.reads.isLatest(ticket)) return;
      this.list = undefined;
      this.message = err instanceof ApiError ? `${err.message} (${err.code})` : 'The fault rules could not be read.';
    }
  }

  private async add(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const number = (name: string) => (form.get(name) === '' || form.get(name) === null ? undefined : Number(form.get(name)));
    const probability = number('probability');
    const times = number('times');
    const delayMs = number('delayMs');
    const rule = {
      operation: this.operation,
      effect: this.effect,
      ...(probability === undefined ? {} : { probability }),
      ...(times === undefined ? {} : { times }),
      ...(delayMs === undefined || (this.effect !== 'delay' && this.effect !== 'timeout') ? {} : { delayMs }),
    };
    try {
      await api(this.session, `/api/admin/faults/${this.service}`, { method: 'POST', body: rule });
      this.message = `Rule added: ${this.service} ${rule.operation} → ${rule.effect}.`;
    } catch (err) {
      this.message = err instanceof ApiError ? `Refused: ${err.message} (${err.code})` : 'The rule could not be added.';
    }
    await this.refresh();
  }

  private async removeRule(id?: string): Promise<void> {
    await api(this.session, `/api/admin/faults/${this.service}${id ? `/${encodeURIComponent(id)}` : ''}`, { method: 'DELETE' }).catch(() => undefined);
    this.message = id ? 'Rule removed.' : `Every ${this.service} rule cleared.`;
    await this.refresh();
  }

  override render() {
    const operations = this.list?.operations ?? [];
    const waits = this.effect === 'delay' || this.effect === 'timeout';
    return html`
      <section class="panel faults" aria-labelledby="faults-title">
        <h2 id="faults-title">Break it: fault rules</h2>
        <form @submit=${this.add}>
          <label for="fault-service">Service</label>
          <select id="fault-service" .value=${this.service} @change=${(e: Event) => { this.service = (e.target as HTMLSelectElement).value as FaultPanel['service']; void this.refresh(); }}>
            ${SERVICES.map((service) => html`<option value=${service} ?selected=${service === this.service}>${service}</option>`)}
          </select>
          <label for="fault-operation">Operation</label>
          <select id="fault-operation" name="operation" .value=${this.operation} @change=${(e: Event) => { this.operation = (e.target as HTMLSelectElement).value; }}>
            ${operations.map((op) => html`<option value=${op.name} title=${op.description} ?selected=${op.name === this.operation}>${op.name} (${op.kind})</option>`)}
          </select>
          <label for="fault-effect">Effect</label>
          <select id="fault-effect" .value=${this.effect} @change=${(e: Event) => { this.effect = (e.target as HTMLSelectElement).value as FaultPanel['effect']; }}>
            ${EFFECTS.map((effect) => html`<option value=${effect} ?selected=${effect === this.effect}>${effect}</option>`)}
          </select>
          <div class="row">
            <span><label for="fault-probability">Probability (0–1]</label><input id="fault-probability" name="probability" type="number" min="0.01" max="1" step="0.01" placeholder="1"></span>
            <span><label for="fault-times">Times</label><input id="fault-times" name="times" type="number" min="1" step="1" placeholder="unlimited"></span>
            <span><label for="fault-delay">Delay (ms)</label><input id="fault-delay" name="delayMs" type="number" min="1" max="120000" step="1" ?disabled=${!waits} ?required=${this.effect === 'delay'}></span>
          </div>
          <div class="actions">
            <button type="submit">Add rule</button>
            <button type="button" class="danger" @click=${() => this.removeRule()}>Clear all ${this.service} rules</button>
            <button type="button" class="secondary" @click=${() => this.refresh()}>Refresh</button>
          </div>
        </form>
        <p class="status-line" role="status">${this.message}</p>
        <table class="rules" data-testid="fault-rules">
          <caption>Active ${this.service} rules</caption>
          <thead><tr><th scope="col">Operation</th><th scope="col">Effect</th><th scope="col">Probability</th><th scope="col">Times</th><th scope="col">Fired</th><th scope="col"><span class="visually-hidden">Remove</span></th></tr></thead>
          <tbody>
            ${(this.list?.items ?? []).map(
              (rule) => html`<tr><th scope="row">${rule.operation}</th><td>${rule.effect}${rule.delayMs ? ` ${rule.delayMs} ms` : ''}</td><td class="num">${rule.probability}</td><td class="num">${rule.times ?? '∞'}</td><td class="num">${rule.triggered}</td>
                <td><button type="button" class="secondary" aria-label="Remove the ${rule.operation} ${rule.effect} rule" @click=${() => this.removeRule(rule.id)}>Remove</button></td></tr>`,
            )}
          </tbody>
        </table>
        ${this.list && this.list.items.length === 0 ? html`<p class="muted">No active rule.</p>` : ''}
      </section>
    `;
  }
}
customElements.define('fault-panel', FaultPanel);
