// infra/images/compose.forge.yml (compose:check on machines without a registry) swaps images and nothing else.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../scripts/deploy/manifest';

type Service = { image?: string; build?: unknown; ports?: unknown } & Record<string, unknown>;
const read = (file: string) => readFileSync(join(repoRoot, file), 'utf8');
const main = parse(read('docker-compose.yml')) as { services: Record<string, Service> };
// `!reset` is Compose's own tag (drop the base file's value instead of merging): `!reset []` reads as [] here.
const forgeText = read('infra/images/compose.forge.yml');
const forge = parse(forgeText, { customTags: [{ tag: '!reset', collection: 'seq', resolve: (value) => value }] }) as { services: Record<string, Service> };
/** infra/images/images.list.sh: [name]="the tag it stands in for". */
const standsInFor = new Map([...read('infra/images/images.list.sh').matchAll(/^\s*\[([a-z]+)\]="([^"]+)"/gm)].map((m) => [m[2] as string, m[1] as string]));

describe('the forge override of docker-compose.yml', () => {
  it('replaces every pulled image with the forge image standing in for exactly that tag', () => {
    for (const [name, service] of Object.entries(main.services)) {
      if (service.build) continue;
      const forgeName = standsInFor.get(service.image ?? '');
      expect({ name, image: service.image, forgeImage: forge.services[name]?.image }).toEqual({ name, image: service.image, forgeImage: forgeName && `saga-forge/${forgeName}:forge` });
    }
  });

  it('builds the platform image on the forge Node base that stands in for the Dockerfile’s own NODE_IMAGE', () => {
    const nodeImage = /^ARG NODE_IMAGE=(.+)$/m.exec(read('Dockerfile'))?.[1];
    expect(standsInFor.get(nodeImage ?? '')).toBe('node');
    for (const [name, service] of Object.entries(main.services)) {
      if (!service.build) continue;
      expect({ name, build: forge.services[name]?.build }).toEqual({ name, build: { network: 'host', args: { NODE_IMAGE: 'saga-forge/node:forge' } } });
    }
  });

  it('changes nothing else: no service of its own, and only images, builds and unpublished broker ports', () => {
    expect(Object.keys(forge.services).filter((name) => !(name in main.services))).toEqual([]);
    for (const [name, service] of Object.entries(forge.services)) {
      expect({ name, keys: Object.keys(service).filter((key) => !['image', 'build', 'ports'].includes(key)) }).toEqual({ name, keys: [] });
      if ('ports' in service) expect({ name, ports: service.ports, gateway: name === 'gateway' }).toEqual({ name, ports: [], gateway: false });
    }
    expect(forgeText.match(/ports: (.*)/g)?.every((line) => line === 'ports: !reset []')).toBe(true);
  });
});

describe('the forge jaeger stand-in', () => {
  const dockerfile = read('infra/images/jaeger/Dockerfile');
  const prepare = read('infra/images/jaeger/prepare.sh');
  const jaeger = main.services.jaeger as Service & { healthcheck: { test: string[] }; ports: string[] };

  it('stands in for exactly the image compose names, and is built by forge.sh build and listed by forge.sh list', () => {
    expect(standsInFor.get(jaeger.image ?? '')).toBe('jaeger');
    expect(/^FORGE_IMAGES=\((.*)\)$/m.exec(read('infra/images/images.list.sh'))?.[1]?.split(' ')).toContain('jaeger');
    expect(forge.services.jaeger).toEqual({ image: 'saga-forge/jaeger:forge' });
  });

  it('is Jaeger v2’s own binary, built from the Go module proxy (module tag v1.75.0 is the 2.12.0 release), niced, cached under .local', () => {
    expect(jaeger.image).toBe('jaegertracing/jaeger:2.12.0');
    expect(prepare).toMatch(/^version=v1\.75\.0$/m);
    expect(prepare).toMatch(/^release=v2\.12\.0$/m);
    expect(prepare).toContain('./cmd/jaeger');
    expect(prepare).toMatch(/nice -n 19 go build -p 1/);
    expect(prepare).toContain('$root/.local/images/jaeger-$version');
  });

  it('honours what compose uses: no command (the built-in all-in-one config), every listener on 0.0.0.0, the ports, and the healthcheck’s wget', () => {
    expect(jaeger.command).toBeUndefined();
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/cmd\/jaeger\/jaeger-linux"\]$/m);
    expect(dockerfile).not.toMatch(/^CMD /m);
    expect(dockerfile).toMatch(/^ENV JAEGER_LISTEN_HOST=0\.0\.0\.0$/m);
    const exposed = (/^EXPOSE (.*)$/m.exec(dockerfile)?.[1] ?? '').split(' ').map(Number);
    const [binary, ...args] = jaeger.healthcheck.test.slice(1);
    const healthPort = Number(new URL(args.at(-1) ?? '').port);
    const published = jaeger.ports.map((p) => Number(p.split(':').pop()));
    for (const port of [4318, healthPort, ...published]) expect({ port, exposed: exposed.includes(port) }).toEqual({ port, exposed: true });
    expect(binary).toBe('wget');
    expect(dockerfile).toMatch(/apt-get install [^\n]*\bwget\b/);
    expect(dockerfile).toMatch(/^USER 10001$/m);
  });
});
