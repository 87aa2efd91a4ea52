// Writes docs/openapi.json from the routes' zod schemas (gateway/src/openapi, compiled: run tsc -b first). `--check`: exit 1 if it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApi } from '@saga/gateway';

export const openApiFile = join(__dirname, '..', '..', 'docs', 'openapi.json');
export const renderOpenApi = (): string => `${JSON.stringify(buildOpenApi(), null, 2)}\n`;

if (require.main === module) {
  const text = renderOpenApi();
  if (process.argv.includes('--check')) {
    const stale = readFileSync(openApiFile, 'utf8') !== text;
    if (stale) console.error('docs/openapi.json is stale: run npm run openapi:render');
    process.exit(stale ? 1 : 0);
  }
  writeFileSync(openApiFile, text);
  console.log('wrote docs/openapi.json');
}
