// Preloaded by the image (NODE_OPTIONS): compose's half of what the kubelet does, so both write DATABASE_URL alike.
// $(NAME) in a variable expands to NAME; NAME comes from the file NAME_FILE names when it is not set itself.
// docker-compose.yml then holds no password: postgres://saga:$(POSTGRES_PASSWORD)@… with
// POSTGRES_PASSWORD_FILE=/secrets/postgres-password, a file of the generated secrets volume (docs/decisions/0018).
'use strict';
const { readFileSync } = require('node:fs');

const reference = /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g;
const env = process.env;
const referenced = new Set();
for (const value of Object.values(env)) for (const match of String(value).matchAll(reference)) referenced.add(match[1]);

for (const name of referenced) {
  const file = env[`${name}_FILE`];
  if (env[name] !== undefined || !file) continue;
  try {
    // A trailing newline is the file's, not the secret's.
    env[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    // Fail at start with the reason, rather than later with a confusing authentication error.
    console.error(`${name}_FILE=${file}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(78);
  }
}

for (const [key, value] of Object.entries(env)) {
  if (value === undefined || !value.includes('$(')) continue;
  // Unknown names stay as written, as the kubelet leaves them.
  env[key] = value.replace(reference, (whole, name) => (env[name] === undefined ? whole : env[name]));
}
