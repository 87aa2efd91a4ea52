// What each placeholder of infra/platform/services.json becomes natively (start:local) and in docker-compose.yml.
import { databaseUrlVariable, resolveEnv, type Manifest, type Resolver, type ServiceSpec } from './manifest';

/** Natively every process is on this machine; brokers come from .local/env; Consul only if someone exported CONSUL_URL. */
export function nativeResolver(env: Record<string, string | undefined>): Resolver {
  return {
    host: () => '127.0.0.1',
    infra: (name) => env[nativeInfraVariable(name)] || undefined,
    // Unset: the services fall back to the development secret, the same one the embedded mode uses.
    secret: (name) => (name === 'jwt' ? env.JWT_SECRET || undefined : undefined),
  };
}

/** start:local's processes: env resolved for this machine, PORT set; `env` is .local/env under the launcher's own. */
export function nativeSpecs(manifest: Manifest, env: Record<string, string | undefined>): ServiceSpec[] {
  const resolver = nativeResolver(env);
  return manifest.services.map((service) => {
    const resolved = resolveEnv(service.env, resolver);
    // An exported LOG_LEVEL wins over the manifest's, as it always did; PORT moves the gateway only (the others are fixed).
    if (env.LOG_LEVEL) resolved.LOG_LEVEL = env.LOG_LEVEL;
    const port = service.public && env.PORT ? Number(env.PORT) : service.port;
    return { ...service, port, env: { ...resolved, PORT: String(port) } };
  });
}

/** The .local/env variable infra/local writes for an endpoint (KAFKA_BROKERS, RABBITMQ_URL, ORDER_DATABASE_URL...). */
export function nativeInfraVariable(name: string): string {
  return databaseUrlVariable(name) ?? `${name.toUpperCase()}_${name === 'kafka' ? 'BROKERS' : 'URL'}`;
}

/** Compose: the compose service name on the project network; brokers with the credentials compose gives them. */
export const composeCredentials = { postgres: 'saga:saga', rabbitmq: 'saga:saga' } as const;
/** RabbitMQ is reached through Toxiproxy in compose, so a link fault can be injected without touching a service. */
export const composeRabbitProxy = { name: 'rabbitmq', listenPort: 35672 } as const;
/** Docker compose interpolation: the dev secret unless JWT_SECRET is exported (compose only publishes on 127.0.0.1). */
export const composeJwtSecret = '${JWT_SECRET:-dev-only-insecure-jwt-secret-change-me-0123456789}';

export function composeResolver(manifest: Manifest): Resolver {
  return {
    host: (service) => service,
    infra: (name) => {
      const [kind, database] = name.split('/');
      const port = manifest.infra[kind]?.port;
      switch (kind) {
        case 'postgres':
          return `postgres://${composeCredentials.postgres}@postgres:${port}/${database}`;
        case 'rabbitmq':
          return `amqp://${composeCredentials.rabbitmq}@toxiproxy:${composeRabbitProxy.listenPort}`;
        case 'kafka':
          return `kafka:${port}`;
        case 'redis':
          return `redis://redis:${port}`;
        case 'consul':
          return `http://consul:${port}`;
        default:
          return undefined;
      }
    },
    secret: (name) => (name === 'jwt' ? composeJwtSecret : undefined),
  };
}
