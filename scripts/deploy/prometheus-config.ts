// Prometheus scrape configs from infra/platform/services.json: every process's METRICS_PORT, natively and in compose.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { stringify } from 'yaml';
import { loadManifest, metricsPort, type Manifest } from './manifest';

/** Where Prometheus answers: 127.0.0.1:9090 natively (PROMETHEUS_PORT moves it), published on loopback in compose. */
export const prometheusPort = 9090;
/** The embedded mode's one registry (platform/embedded/src/main.ts's METRICS_PORT default): scraped when it runs. */
export const embeddedMetricsPort = 9464;
/** The compose image and the file it mounts (rendered with docker-compose.yml, never edited by hand). */
export const prometheusImage = 'prom/prometheus:v2.53.0';
export const composeScrapeFile = 'infra/prometheus/compose.yml';

type ScrapeConfig = Record<string, unknown>;
export interface PrometheusConfig {
  global: Record<string, string>;
  scrape_configs: ScrapeConfig[];
}

/** Processes with a METRICS_PORT, in manifest order; a manifest without any is a mistake worth stopping on. */
function scraped(manifest: Manifest): { name: string; port: number }[] {
  const targets = manifest.services.flatMap((s) => {
    const port = metricsPort(s);
    return port === undefined ? [] : [{ name: s.name, port }];
  });
  if (targets.length === 0) throw new Error('no service of infra/platform/services.json has a METRICS_PORT');
  return targets;
}

/**
 * Natively: one job per process at 127.0.0.1:METRICS_PORT (job = the manifest's name, so `up{job="order"}` reads as
 * it should), plus the embedded mode's port when no process uses it. A 1 s interval so a test sees a request within
 * seconds; the timeout may not exceed it.
 */
export function nativeScrapeConfig(manifest: Manifest, interval = '1s'): PrometheusConfig {
  const targets = scraped(manifest);
  const jobs: ScrapeConfig[] = targets.map((t) => ({ job_name: t.name, static_configs: [{ targets: [`127.0.0.1:${t.port}`] }] }));
  if (!targets.some((t) => t.port === embeddedMetricsPort)) jobs.push({ job_name: 'embedded', static_configs: [{ targets: [`127.0.0.1:${embeddedMetricsPort}`] }] });
  return { global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval }, scrape_configs: jobs };
}

/**
 * Compose: docker's embedded DNS answers a service name with the address of every container of that service, so an
 * A-record lookup finds each replica (docker-compose.replicas.yml) as its own target; a 5 s refresh follows scale-ups.
 * Not Consul: it registers the HTTP port, and /metrics is a port no one else should learn about.
 */
export function composeScrapeConfig(manifest: Manifest): PrometheusConfig {
  return {
    global: { scrape_interval: '5s', scrape_timeout: '5s', evaluation_interval: '5s' },
    scrape_configs: scraped(manifest).map((t) => ({
      job_name: t.name,
      dns_sd_configs: [{ names: [t.name], type: 'A', port: t.port, refresh_interval: '5s' }],
    })),
  };
}

export function renderPrometheusYaml(config: PrometheusConfig, header: string): string {
  return `${header}${stringify(config, { lineWidth: 0 })}`;
}

export const composeScrapeHeader =
  '# Prometheus in docker-compose.yml: every process by its compose name and METRICS_PORT (each replica through docker DNS).\n' +
  '# Generated from infra/platform/services.json by `npm run compose:render` (scripts/deploy/prometheus-config.ts): edit those, not this.\n';

// `node -r ./scripts/ts-register.js scripts/deploy/prometheus-config.ts native <file>`: infra/local/components/prometheus.sh.
if (require.main === module) {
  const [mode, out] = process.argv.slice(2);
  if (mode !== 'native' || !out) {
    console.error('usage: prometheus-config.ts native <output file>');
    process.exit(2);
  }
  const file = resolve(out);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, renderPrometheusYaml(nativeScrapeConfig(loadManifest()), '# Written by infra/local/infra.sh up from infra/platform/services.json: regenerated at every start.\n'));
}
