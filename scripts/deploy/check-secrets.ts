// No usable secret in what the repository ships: docker-compose.yml and k8s/base hold references to generated values
// (a file of the secrets volume, $(NAME) from a Secret), never a password, key or the local modes' demo values.
// Each finding is a sentence naming the place; none means the files are clean (docs/decisions/0018).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** Values that are public because they are in this repository (the local modes' development defaults). */
export const knownDevValues = ['dev-only-insecure-jwt-secret-change-me-0123456789', 'admin-secret', 'alice-secret', 'bob-secret'];

/** A variable or key that holds a secret itself (NAME_FILE names a file and is fine; NAME_USER is not secret). */
const secretName = /(^|[_.-])(SECRET|PASSWORD|PASSWD|PASS|TOKEN|API_?KEY|PRIVATE_?KEY|SIGNING_?KEY)$/i;
/** Directives that take a password inline (redis.conf, rabbitmq.conf, command-line flags). */
const passwordDirective = /(?:^|[\s"'])-{0,2}(requirepass|masterauth|default_pass|password)(?:\s*=\s*|\s+)(\S+)/gi;
/** scheme://user:password@host — the password part. */
const urlCredentials = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/@:"']*:([^\s/@"']+)@/gi;

/** A value that only points at a secret: $(NAME) (kubelet / the image's preload), ${NAME} (compose), a printf slot. */
export function isReference(value: string): boolean {
  const v = value.trim().replace(/^["']|["']$/g, '');
  return v === '' || /^\$\$?\(/.test(v) || /^\$\{[A-Za-z_][A-Za-z0-9_]*(:?\?[^}]*)?\}$/.test(v) || /^"?\$\$?\(cat /.test(v) || v.startsWith('%s');
}

/** Compose's ${NAME:-default} is the default on a fresh checkout: a literal, checked as one. */
const composeDefaults = (value: string) => value.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}/g, '$1').replace(/\$\$/g, '$');

/** The rules that apply to any text: known values, credentials in URLs, inline password directives. */
export function textFindings(text: string, where: string): string[] {
  const out: string[] = [];
  const value = composeDefaults(text);
  for (const known of knownDevValues) if (value.includes(known)) out.push(`${where}: contains the published development value "${known}"`);
  for (const [, password] of value.matchAll(urlCredentials)) {
    if (!isReference(password as string)) out.push(`${where}: a URL with a literal password (${(password as string).slice(0, 3)}…)`);
  }
  for (const [, directive, argument] of value.matchAll(passwordDirective)) {
    if (!isReference(argument as string)) out.push(`${where}: ${directive} with a literal value`);
  }
  return out;
}

type Node = unknown;
const isObject = (v: Node): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Walks a parsed YAML document: every string, every secret-named key with a literal, k8s env entries and Secrets. */
export function documentFindings(doc: Node, where: string): string[] {
  const out: string[] = [];
  const literal = (name: string, value: unknown, at: string) => {
    if ((typeof value === 'string' || typeof value === 'number') && secretName.test(name) && !isReference(composeDefaults(String(value)))) {
      out.push(`${at}: ${name} is set to a literal value`);
    }
  };
  // alice/bob/admin with their published passwords belong to the loopback local modes only.
  const demoUsers = (name: string, value: unknown, at: string) => {
    if (name === 'DEMO_USERS_ENABLED' && /^(true|1)$/i.test(String(value).trim())) out.push(`${at}: DEMO_USERS_ENABLED turns on the demo users and their published passwords`);
  };
  const walk = (node: Node, at: string): void => {
    if (typeof node === 'string') {
      out.push(...textFindings(node, at));
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        // ["--requirepass", "hunter2"]: a flag and its argument as two items.
        const previous = node[i - 1];
        if (typeof previous === 'string' && typeof item === 'string') out.push(...textFindings(`${previous} ${item}`, `${at}[${i}]`).filter((f) => !f.includes('development value') && !f.includes('URL')));
        walk(item, `${at}[${i}]`);
      });
      return;
    }
    if (!isObject(node)) return;
    // A Kubernetes Secret or a kustomize secretGenerator with values: the repository would be publishing them.
    if (node.kind === 'Secret' && (isObject(node.data) || isObject(node.stringData))) out.push(`${at}: a Secret with values (k8s/deploy.sh creates saga-secrets with generated ones)`);
    if (Array.isArray(node.secretGenerator)) out.push(`${at}: a secretGenerator (its literals or files would be in the repository)`);
    // Kubernetes env: { name: JWT_SECRET, value: "…" }.
    if (typeof node.name === 'string' && 'value' in node) {
      literal(node.name, node.value, at);
      demoUsers(node.name, node.value, at);
    }
    for (const [key, value] of Object.entries(node)) {
      literal(key, value, `${at}.${key}`);
      demoUsers(key, value, `${at}.${key}`);
      walk(value, `${at}.${key}`);
    }
  };
  walk(doc, where);
  return [...new Set(out)];
}

/** A compose file, parsed. */
export function composeSecretFindings(doc: Node, file = 'docker-compose.yml'): string[] {
  return documentFindings(doc, file);
}

/**
 * Literals that cannot be used where they are: init.sql's CREATE ROLE … PASSWORD 'saga' only runs natively
 * (infra/local); in the postgres image POSTGRES_USER has already created the role with the generated password, so
 * the IF NOT EXISTS block is skipped. Exact text, so any other password in the file is still a finding.
 */
export const unusableLiterals: { file: string; text: string }[] = [{ file: 'init.sql', text: "CREATE ROLE saga LOGIN SUPERUSER PASSWORD 'saga';" }];

/** Every file under a k8s directory: YAML structurally, anything else (ConfigMap sources) as text. */
export function k8sSecretFindings(dir: string, root = dir): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const where = relative(root, path) || entry.name;
    if (entry.isDirectory()) out.push(...k8sSecretFindings(path, root));
    else if (/\.ya?ml$/.test(entry.name)) parseAllDocuments(readFileSync(path, 'utf8')).forEach((doc, i) => out.push(...documentFindings(doc.toJS(), `${where}#${i}`)));
    else {
      let text = readFileSync(path, 'utf8');
      for (const allowed of unusableLiterals.filter((u) => u.file === entry.name)) text = text.split(allowed.text).join('');
      out.push(...textFindings(text, where));
    }
  }
  return out;
}

/** The keys k8s/deploy.sh puts into saga-secrets (--from-literal=KEY=… / --from-file=KEY=…). */
export function deployScriptSecretKeys(script: string): string[] {
  return [...script.matchAll(/--from-(?:literal|file)=([A-Za-z0-9._-]+)=/g)].map((m) => m[1] as string).sort();
}
