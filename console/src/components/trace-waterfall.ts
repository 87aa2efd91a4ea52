// An order's trace as a waterfall (GET /api/admin/traces/{orderId}): one bar per span, indented under its parent.
import { html, svg } from 'lit';
import type { Trace, TraceSpan } from '../types';
import { LightElement } from './light-element';

const MAX_ROWS = 80;

function depths(spans: TraceSpan[]): Map<string, number> {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const depth = new Map<string, number>();
  const of = (span: TraceSpan, seen = 0): number => {
    const known = depth.get(span.spanId);
    if (known !== undefined) return known;
    const parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
    const value = parent && seen < 32 ? of(parent, seen + 1) + 1 : 0;
    depth.set(span.spanId, value);
    return value;
  };
  spans.forEach((span) => of(span));
  return depth;
}

export class TraceWaterfall extends LightElement {
  static override properties = { trace: { attribute: false } };
  declare trace: Trace | undefined;

  override render() {
    const spans = [...(this.trace?.spans ?? [])].sort((a, b) => a.startTimeMs - b.startTimeMs).slice(0, MAX_ROWS);
    if (spans.length === 0) return html``;
    const start = Math.min(...spans.map((span) => span.startTimeMs));
    const total = Math.max(1, Math.max(...spans.map((span) => span.startTimeMs + span.durationMs)) - start);
    const depth = depths(spans);
    const pct = (ms: number) => `${((ms / total) * 100).toFixed(2)}%`;
    return html`
      <table class="waterfall">
        <caption>Trace: ${spans.length} spans over ${total.toFixed(0)} ms${(this.trace?.spans.length ?? 0) > MAX_ROWS ? ` (first ${MAX_ROWS})` : ''}</caption>
        <thead><tr><th scope="col">Span</th><th scope="col">Service</th><th scope="col">ms</th><th scope="col"><span class="visually-hidden">Timeline</span></th></tr></thead>
        <tbody>
          ${spans.map(
            (span) => html`<tr class=${span.status === 'error' ? 'error' : ''}>
              <th scope="row" class="depth-${Math.min(6, depth.get(span.spanId) ?? 0)}">${span.name}</th>
              <td>${span.service}</td>
              <td class="num">${span.durationMs.toFixed(1)}</td>
              <td class="bar-cell"><svg class="bar" role="img" aria-label="starts at ${(span.startTimeMs - start).toFixed(0)} ms, lasts ${span.durationMs.toFixed(1)} ms" preserveAspectRatio="none">
                ${svg`<rect class="kind-${span.kind}" x=${pct(span.startTimeMs - start)} y="2" height="12" width=${pct(Math.max(span.durationMs, total * 0.004))}></rect>`}
              </svg></td>
            </tr>`,
          )}
        </tbody>
      </table>
    `;
  }
}
customElements.define('trace-waterfall', TraceWaterfall);
