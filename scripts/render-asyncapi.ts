// Writes docs/asyncapi.json from libs/contracts (buildAsyncApiDocument); `--check` fails on drift instead of writing.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAsyncApiDocument } from '../libs/contracts/src/asyncapi';

export const asyncApiFile = 'docs/asyncapi.json';
export const renderAsyncApi = (): string => `${JSON.stringify(buildAsyncApiDocument(), null, 2)}\n`;

if (require.main === module) {
  const path = join(__dirname, '..', asyncApiFile);
  const rendered = renderAsyncApi();
  if (process.argv.includes('--check')) {
    if (readFileSync(path, 'utf8') !== rendered) {
      console.error(`${asyncApiFile} is stale: run npm run asyncapi:render`);
      process.exit(1);
    }
  } else {
    writeFileSync(path, rendered);
    console.log(`wrote ${asyncApiFile}`);
  }
}
