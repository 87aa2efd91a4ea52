// GET /api/openapi.json (the contract) and GET /api/docs (Swagger UI, served from node_modules: no CDN). Public.
import { dirname } from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import { buildOpenApi } from './build-openapi';

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>saga-platform API</title>
  <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/api/docs/init.js"></script>
</body>
</html>
`;
const init = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;
// Everything the page loads comes from this origin; Swagger UI needs inline styles and data: images.
const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

export function openApiRoutes(app: Express, limiter: RequestHandler): void {
  let document: string | undefined; // built once, on first request
  const assets = dirname(require.resolve('swagger-ui-dist/package.json'));
  const secured: RequestHandler = (_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', csp);
    next();
  };

  app.get('/api/openapi.json', limiter, secured, (_req, res) => {
    document ??= JSON.stringify(buildOpenApi(), null, 2);
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('application/json').send(document);
  });
  app.get(['/api/docs', '/api/docs/'], limiter, secured, (_req, res) => {
    res.type('html').send(page);
  });
  app.get('/api/docs/init.js', limiter, secured, (_req, res) => {
    res.type('text/javascript').send(init);
  });
  app.use('/api/docs/assets', limiter, secured, express.static(assets, { index: false, fallthrough: false, maxAge: '1h' }));
}
