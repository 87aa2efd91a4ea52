// Debian's Chromium driven by playwright-core (no browser download): launched once per test file, headless, as root;
// and axe-core's accessibility check of a page.
import { existsSync, readFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The system browser: CHROMIUM_PATH, else Debian's. npm test installs it (scripts/browser/ensure-chromium.sh). */
export function chromiumPath(): string {
  const path = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((candidate) => candidate && existsSync(candidate));
  if (!path) throw new Error('No Chromium: run `bash scripts/browser/ensure-chromium.sh` (Debian package chromium) or set CHROMIUM_PATH');
  return path;
}

export async function launchChromium(): Promise<Browser> {
  // No sandbox: CI runs as root, where Chromium refuses its own sandbox; the pages are our own, served on loopback.
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/**
 * axe-core from node_modules, evaluated in the page (DevTools evaluation, so the page's CSP stays as it is): its
 * serious and critical violations, in the whole document or under the first element `selector` matches.
 */
export async function seriousViolations(page: Page, selector?: string): Promise<string[]> {
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  // A string, run in the page: this project's types have no DOM.
  const context = selector ? `document.querySelector(${JSON.stringify(selector)})` : 'document';
  const violations = (await page.evaluate(
    `axe.run(${context}).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length })))`,
  )) as { id: string; impact?: string; help: string; nodes: number }[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes} nodes)`);
}
