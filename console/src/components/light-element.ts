// Lit elements rendered into the light DOM: the page's one stylesheet applies, and nothing is inline (the CSP refuses it).
import { LitElement } from 'lit';

export class LightElement extends LitElement {
  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  /** A bubbling event with a payload, for the element's parent. */
  protected emit<T>(name: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(name, { detail, bubbles: true }));
  }
}
