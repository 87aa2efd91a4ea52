// Admin: the dead letters waiting (GET /api/admin/dead-letters?state=dead-lettered), each with its re-drive button
// (POST /api/admin/dead-letters/{id}/redrive, sent by the gateway to the service the id names).
import { html } from 'lit';
import { api, ApiError } from '../api';
import { LatestRead } from '../latest-read';
import type { Session } from '../session';
import type { DeadLetter } from '../types';
import { LightElement } from './light-element';

export class DeadLetterList extends LightElement {
  static override properties = { session: { attribute: false }, letters: { state: true }, message: { state: true }, busy: { state: true } };
  declare session: Session;
  declare letters: DeadLetter[] | undefined;
  declare message: string;
  /** Overlapping re-reads (a re-drive's, the system view's): the newest answer wins. */
  private readonly reads = new LatestRead();
  declare busy: string | undefined;

  constructor() {
    super();
    this.message = '';
  }

  /**
   * With each system view (on demand and after orders change, never on a timer): `waiting` is what the view counted;
   * none waiting needs no listing, undefined (the view could not be read) reads it anyway.
   */
  async sync(waiting: number | undefined): Promise<void> {
    if (waiting === 0) this.letters = [];
    else await this.refresh();
  }

  async refresh(): Promise<void> {
    const ticket = this.reads.start();
    try {
      const letters = (await api<{ items: DeadLetter[] }>(this.session, '/api/admin/dead-letters?state=dead-lettered')).items;
      if (this.reads.isLatest(ticket)) this.letters = letters;
    } catch (err) {
      if (!this.reads.isLatest(ticket)) return;
      this.letters = undefined;
      this.message = err instanceof ApiError ? `The dead letters could not be read: ${err.message} (${err.code})` : 'The dead letters could not be read.';
    }
  }

  private async redrive(letter: DeadLetter): Promise<void> {
    this.busy = letter.id;
    try {
      const answer = await api<{ outcome: string }>(this.session, `/api/admin/dead-letters/${encodeURIComponent(letter.id)}/redrive`, { method: 'POST' });
      this.message = `${letter.type ?? 'Message'} from ${letter.source}: ${answer.outcome}.`;
      this.emit('redriven', letter.id);
    } catch (err) {
      this.message = err instanceof ApiError ? `Re-drive refused: ${err.message} (${err.code})` : 'The re-drive could not be sent.';
    }
    this.busy = undefined;
    await this.refresh();
  }

  override render() {
    const letters = this.letters ?? [];
    return html`
      <section class="subpanel" aria-labelledby="letters-title">
        <h3 id="letters-title">Dead letters waiting</h3>
        <p class="status-line" role="status">${this.message}</p>
        ${letters.length === 0
          ? html`<p class="muted" data-testid="no-dead-letters">${this.letters ? 'None: every message was handled.' : ''}</p>`
          : html`<div class="scroll"><table class="letters" data-testid="dead-letters">
              <caption class="visually-hidden">Dead letters waiting, oldest first</caption>
              <thead><tr><th scope="col">Message</th><th scope="col">Service</th><th scope="col">Reason</th><th scope="col">Since</th><th scope="col"><span class="visually-hidden">Re-drive</span></th></tr></thead>
              <tbody>
                ${letters.map(
                  (letter) => html`<tr data-letter-id=${letter.id}>
                    <th scope="row">${letter.type ?? 'unreadable'}${letter.orderId ? html` <span class="muted">${letter.orderId.slice(0, 8)}</span>` : ''}</th>
                    <td>${letter.service} <span class="muted">${letter.broker}, ${letter.source}</span></td>
                    <td>${letter.reason}</td>
                    <td>${new Date(letter.deadLetteredAt).toLocaleTimeString()}</td>
                    <td><button type="button" class="secondary" ?disabled=${this.busy !== undefined} aria-label="Re-drive the ${letter.type ?? 'unreadable'} letter ${letter.id}" @click=${() => this.redrive(letter)}>Re-drive</button></td>
                  </tr>`,
                )}
              </tbody>
            </table></div>`}
      </section>
    `;
  }
}
customElements.define('dead-letter-list', DeadLetterList);
