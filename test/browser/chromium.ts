// Debian's Chromium driven by playwright-core (no browser download): launched once per test file, headless, as root.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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
