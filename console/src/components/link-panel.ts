// Admin: each service's broker link through Toxiproxy (GET /api/admin/links), with Add latency, Cut and Restore per
// link. Hidden while the gateway says the feature is off (`enabled: false`: no TOXIPROXY_URL, e.g. npm start).
import { html } from 'lit';
import { api, ApiError } from '../api';
import { actionMessage, isBroken, linkState, linkTitle } from '../link-summary';
import type { Session } from '../session';
import type { BrokerLink } from '../types';
import { LightElement } from './light-element';

type Action = 'latency' | 'cut' | 'restore';

export class LinkPanel extends LightElement {
  static override properties = { session: { attribute: false }, links: { state: true }, message: { state: true }, busy: { state: true } };
  declare session: Session;
  declare links: BrokerLink[] | undefined;
  declare message: string;
  /** The link an action is in flight for: its buttons wait. */
  declare busy: string | undefined;

  constructor() {
    super();
    this.message = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Hidden until the gateway says the links are on: a panel that then vanishes would only confuse.
    this.hidden = true;
    void this.refresh();
  }

  /** On demand and after each action: links change only when someone changes them, so no timer. */
  async refresh(): Promise<void> {
    try {
      const answer = await api<{ enabled: boolean; items: BrokerLink[] }>(this.session, '/api/admin/links');
      this.links = answer.items;
      this.hidden = !answer.enabled;
    } catch (err) {
      this.hidden = false;
      this.message = err instanceof ApiError ? `The links could not be read: ${err.message} (${err.code})` : 'The links could not be read.';
    }
  }

  private async act(link: BrokerLink, action: Action, body?: { latencyMs: number; jitterMs: number }): Promise<void> {
    const path = `/api/admin/links/${encodeURIComponent(link.name)}`;
    this.busy = link.name;
    try {
      const changed = await (action === 'latency'
        ? api<BrokerLink>(this.session, `${path}/latency`, { method: 'POST', body })
        : action === 'cut'
          ? api<BrokerLink>(this.session, `${path}/cut`, { method: 'POST' })
          : api<BrokerLink>(this.session, `${path}/toxics`, { method: 'DELETE' }));
      this.message = actionMessage(action, changed);
    } catch (err) {
      this.message = err instanceof ApiError ? `Refused: ${err.message} (${err.code})` : 'The link could not be changed.';
    }
    this.busy = undefined;
    await this.refresh();
  }

  private addLatency(event: SubmitEvent, link: BrokerLink): void {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    void this.act(link, 'latency', { latencyMs: Number(form.get('latencyMs')), jitterMs: Number(form.get('jitterMs') || 0) });
  }

  private row(link: BrokerLink) {
    const { state, text } = linkState(link);
    const id = `link-${link.name}`;
    const waiting = this.busy !== undefined;
    return html`<li data-link=${link.name}>
      <form @submit=${(event: SubmitEvent) => this.addLatency(event, link)}>
        <fieldset>
          <legend>${linkTitle(link)} <span class="badge link-${state}" data-testid="link-state">${text}</span></legend>
          <p class="muted">${link.proxy}: ${link.listen} → ${link.upstream}</p>
          <div class="row">
            <span><label for=${`${id}-latency`}>Latency (ms)</label><input id=${`${id}-latency`} name="latencyMs" type="number" min="1" max="60000" step="1" value="400" required></span>
            <span><label for=${`${id}-jitter`}>Jitter (ms)</label><input id=${`${id}-jitter`} name="jitterMs" type="number" min="0" max="60000" step="1" value="0"></span>
          </div>
          <div class="actions">
            <button type="submit" ?disabled=${waiting} aria-label="Add latency to ${linkTitle(link)}">Add latency</button>
            <button type="button" class="danger" ?disabled=${waiting || !link.enabled} aria-label="Cut ${linkTitle(link)}" @click=${() => this.act(link, 'cut')}>Cut</button>
            <button type="button" class="secondary" ?disabled=${waiting || !isBroken(link)} aria-label="Restore ${linkTitle(link)}" @click=${() => this.act(link, 'restore')}>Restore</button>
          </div>
        </fieldset>
      </form>
    </li>`;
  }

  override render() {
    const links = this.links ?? [];
    return html`
      <section class="panel links" aria-labelledby="links-title">
        <div class="panel-head">
          <h2 id="links-title">Break it: broker links</h2>
          <button type="button" class="secondary" @click=${() => this.refresh()}>Refresh</button>
        </div>
        <p class="muted">Each service reaches RabbitMQ through a Toxiproxy proxy of its own: slow one link down or cut it, and watch that service's sagas wait, time out and compensate.</p>
        <p class="status-line" role="status">${this.message}</p>
        ${links.length > 0
          ? html`<ul class="links" data-testid="broker-links">${links.map((link) => this.row(link))}</ul>`
          : html`<p class="muted">${this.links ? "Toxiproxy has none of the platform's links (npm run start:local creates them)." : ''}</p>`}
      </section>
    `;
  }
}
customElements.define('link-panel', LinkPanel);
