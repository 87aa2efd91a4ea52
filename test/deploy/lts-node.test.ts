// The Node every npm script runs on: the pinned LTS agrees everywhere, and older Nodes on PATH are replaced by it.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const wrapper = join(root, 'scripts/node/with-lts-node.sh');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const pinned = read('.node-version').trim();

/** Runs the wrapper with a fake `node` of the given version first on PATH; returns what it said and what ran. */
function runWith(fakeVersion: string): { said: string; ran: string } {
  const bin = mkdtempSync(join(tmpdir(), 'fake-node-'));
  writeFileSync(join(bin, 'node'), `#!/bin/sh\n[ "$1" = --version ] && echo ${fakeVersion} && exit 0\necho fake-node-ran\n`);
  chmodSync(join(bin, 'node'), 0o755);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, SAGA_NODE: '' };
  const output = execFileSync('bash', [wrapper, 'node', '-e', 'process.stdout.write(process.version)'], { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  const said = execFileSync('bash', ['-c', `bash "${wrapper}" true 2>&1 >/dev/null`], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
  return { said, ran: output.trim() };
}

describe('the LTS Node the scripts run on', () => {
  jest.setTimeout(180_000);

  it('is pinned once: .node-version, .nvmrc, engines and the Docker base image agree', () => {
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(read('.nvmrc').trim()).toBe(pinned);
    const major = pinned.split('.')[0];
    expect(read('Dockerfile')).toContain(`ARG NODE_IMAGE=node:${major}-bookworm-slim`);
    const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; scripts: Record<string, string> };
    expect(pkg.engines.node).toBe('^22.15 || ^24 || >=26');
    // Every script goes through the wrapper: none may run on whatever Node happens to be first on PATH.
    expect(Object.entries(pkg.scripts).filter(([, command]) => !command.startsWith('bash scripts/node/with-lts-node.sh '))).toEqual([]);
  });

  it('replaces a Node older than engines allow (20) with the pinned LTS, and says so', () => {
    const { said, ran } = runWith('v20.20.2');
    expect(ran).toBe(`v${pinned}`);
    expect(said).toContain(`using Node v${pinned} from .local/node/v${pinned}/bin (PATH had v20.20.2)`);
  });

  it('keeps a supported Node that is first on PATH (24), and says so', () => {
    const { said, ran } = runWith('v24.11.0');
    expect(ran).toBe('fake-node-ran');
    expect(said).toContain('using Node v24.11.0 from PATH');
  });

  it('does not take an odd, non-LTS release below 26 or a 22 older than 22.15', () => {
    expect(runWith('v23.11.0').ran).toBe(`v${pinned}`);
    expect(runWith('v22.14.0').ran).toBe(`v${pinned}`);
  });
});
