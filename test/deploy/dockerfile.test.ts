// The one image: multi-stage, non-root, health-checked, production dependencies only, every manifest script inside.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerfileErrors, parseDockerfile } from '../../scripts/deploy/check-dockerfile';
import { loadManifest, repoRoot } from '../../scripts/deploy/manifest';

const manifest = loadManifest();
const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n');

describe('Dockerfile', () => {
  it('keeps every promise of the one image (after `tsc -b`, every manifest script exists and is copied in)', () => {
    expect(dockerfileErrors(dockerfile, manifest, repoRoot)).toEqual([]);
  });

  it('builds in stages and ships only the runtime stage, as the unprivileged node user on a slim Node 26 (LTS) base', () => {
    const { args, stages } = parseDockerfile(dockerfile);
    expect(stages.map((s) => s.name)).toEqual(['manifests', 'build', 'runtime']);
    expect(args).toEqual([{ keyword: 'ARG', args: 'NODE_IMAGE=node:26-bookworm-slim' }]);
    const runtime = stages[2].instructions;
    expect(runtime.filter((i) => i.keyword === 'USER')).toEqual([{ keyword: 'USER', args: 'node' }]);
    // The compiler never reaches the runtime stage: it takes dist/ from the build stage and installs without dev deps.
    expect(runtime.filter((i) => i.keyword === 'COPY').map((i) => i.args)).toEqual(['--from=manifests /out/ ./', '--from=build /dist/ ./', 'infra/docker/own-address.js ./infra/docker/own-address.js', 'infra/docker/secret-env.js ./infra/docker/secret-env.js']);
  });

  it('leaves local state and build output out of the build context', () => {
    expect(dockerignore).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.local', '.git']));
  });
});

describe('the Dockerfile check rejects a broken image', () => {
  const runtimeOnly = dockerfile.slice(dockerfile.lastIndexOf('FROM '));

  it('a single stage', () => {
    expect(dockerfileErrors(runtimeOnly, manifest, repoRoot)).toContain('one stage only: the compiler and dev dependencies would ship in the image');
  });

  it('running as root, without a healthcheck, with dev dependencies', () => {
    const broken = dockerfile.replace('USER node', 'USER root').replace(/^HEALTHCHECK[^]*?\n(?=CMD)/m, '').replace('npm ci --omit=dev', 'npm ci');
    expect(dockerfileErrors(broken, manifest, repoRoot)).toEqual([
      'the final stage runs as root',
      'the final stage has no HEALTHCHECK',
      'the final stage does not install with `npm ci --omit=dev`',
    ]);
  });

  it('a manifest script whose workspace is not copied into the image, or that tsc does not produce', () => {
    const broken = dockerfile.replace('for ws in libs/* services/* gateway console; do mkdir -p "/dist/$ws"', 'for ws in libs/* gateway console; do mkdir -p "/dist/$ws"');
    const renamed = { ...manifest, services: manifest.services.map((s) => (s.name === 'order' ? { ...s, script: 'services/order/dist/server.js' } : s)) };
    expect(dockerfileErrors(broken, manifest, repoRoot)).toEqual(
      manifest.services.filter((s) => s.script.startsWith('services/')).map((s) => `${s.script} (${s.name}) is not copied into the image: ${s.script.split('/dist/')[0]}/dist is outside libs/* gateway console`),
    );
    expect(dockerfileErrors(dockerfile, renamed, repoRoot)).toEqual(['services/order/dist/server.js (order) does not exist: run `tsc -b`, or fix the manifest\'s script']);
  });
});
