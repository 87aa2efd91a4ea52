// The saga console at / (console/dist, built by Vite): hashed assets cached for a year, index.html never, a strict CSP.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import { NotFoundError } from '@saga/platform';

/** console/dist, from gateway/src (tests) and gateway/dist (built) alike. */
export const defaultConsoleDir = resolve(__dirname, '../../console/dist');

/**
 * Only this origin, no inline script or style, no eval, no plugins, no framing: the page talks to the gateway's own
 * /api and /auth and nothing else. (Styles set through the CSSOM, as the console's timing bars are, are not inline.)
 */
export const consoleCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const secured: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', consoleCsp);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  next();
};

export function consoleRoutes(app: Express, limiter: RequestHandler, dir = defaultConsoleDir): void {
  const index = join(dir, 'index.html');
  // index.html names the current hashed bundle: revalidated on every load, so a new build is picked up at once.
  app.get(['/', '/index.html'], limiter, secured, (_req, res) => {
    if (!existsSync(index)) throw new NotFoundError('The console is not built: run `npm run build` (or `npm start`, which builds it)', { code: 'CONSOLE_NOT_BUILT' });
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  // Vite names every asset by its content hash: a file's URL never serves other bytes, so it may be kept for a year.
  app.use('/assets', limiter, secured, express.static(join(dir, 'assets'), { index: false, fallthrough: false, immutable: true, maxAge: '365d' }));
  app.get('/favicon.svg', limiter, secured, express.static(dir, { index: false, maxAge: '1d' }));
}
