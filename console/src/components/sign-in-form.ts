// Sign in with a username and password (POST /auth/token); the demo users are one click away.
import { html } from 'lit';
import { signIn, ApiError } from '../api';
import { LightElement } from './light-element';

const DEMO_USERS = [
  { username: 'alice', password: 'alice-secret', note: 'customer' },
  { username: 'bob', password: 'bob-secret', note: 'customer' },
  { username: 'admin', password: 'admin-secret', note: 'admin: breaks things' },
];

export class SignInForm extends LightElement {
  static override properties = { error: { state: true }, busy: { state: true } };
  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.error = '';
    this.busy = false;
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    await this.signInAs(String(form.get('username') ?? ''), String(form.get('password') ?? ''));
  }

  private async signInAs(username: string, password: string): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      this.emit('signed-in', await signIn(username, password));
    } catch (err) {
      this.error = err instanceof ApiError ? `${err.message} (${err.code})` : 'The gateway did not answer';
    } finally {
      this.busy = false;
    }
  }

  override render() {
    return html`
      <section class="panel sign-in" aria-labelledby="sign-in-title">
        <h2 id="sign-in-title">Sign in</h2>
        <form @submit=${this.submit}>
          <label for="username">Username</label>
          <input id="username" name="username" autocomplete="username" required>
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required>
          <button type="submit" ?disabled=${this.busy}>Sign in</button>
        </form>
        <p class="error" role="alert">${this.error}</p>
        <h3>Demo users</h3>
        <ul class="demo-users">
          ${DEMO_USERS.map(
            (user) => html`<li><button type="button" class="secondary" ?disabled=${this.busy} @click=${() => this.signInAs(user.username, user.password)}>Sign in as ${user.username}</button> <span class="muted">${user.note}</span></li>`,
          )}
        </ul>
        <p class="muted">Demo users exist on a gateway started with DEMO_USERS_ENABLED (npm start does).</p>
      </section>
    `;
  }
}
customElements.define('sign-in-form', SignInForm);
