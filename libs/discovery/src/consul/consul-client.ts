// The `consul` package's client built from the one CONSUL_URL, and the one place its failures become ConsulRegistryError.
import Consul from 'consul';
import { types } from 'node:util';

export class ConsulRegistryError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ConsulRegistryError';
  }
}

/** Constructor options the package's README documents (papi's `baseUrl` and default `timeout`) but its lib/consul.d.ts leaves out. */
type ClientOptions = NonNullable<ConstructorParameters<typeof Consul>[0]> & { baseUrl: string; timeout: number };

export interface ClientSettings {
  token?: string;
  /** Default timeout of every call; the package's watch sets its own, from `wait`, on each blocking query. */
  requestTimeoutMs: number;
}

/** `http://consul:8500` → base `http://consul:8500/v1`; scheme, port, a path prefix and credentials all come from the URL. */
export function consulClient(url: string, settings: ClientSettings): Consul {
  // papi hands the bracketed host of an IPv6 literal to the resolver as is (ENOTFOUND "[::1]"): say so now, not at the first call.
  if (new URL(url).hostname.startsWith('[')) throw new ConsulRegistryError(`CONSUL_URL ${url}: the consul package cannot reach an IPv6 literal; use a host name`);
  const options: ClientOptions = {
    baseUrl: `${url.replace(/\/+$/, '')}/v1`,
    timeout: settings.requestTimeoutMs,
    ...(settings.token ? { defaults: { token: settings.token } } : {}),
  };
  return new Consul(options);
}

/**
 * Awaits one package call and reports any failure as a ConsulRegistryError carrying Consul's status and message.
 * papi (the package's HTTP layer) rejects only when the error is `instanceof Error` of its own realm: a socket error
 * from Node's http module inside jest's sandbox *resolves* as a value. isNativeError sees through realms.
 */
export async function consulCall<T>(what: string, pending: Promise<T>): Promise<T> {
  let value: T;
  try {
    value = await pending;
  } catch (error) {
    throw registryError(what, error);
  }
  if (types.isNativeError(value)) throw registryError(what, value);
  return value;
}

function registryError(what: string, error: unknown): ConsulRegistryError {
  // papi's ResponseError keeps the response; its message is Consul's text only when that text is under 80 characters.
  const response = (error as { response?: { statusCode?: number; body?: unknown } } | undefined)?.response;
  const status = response?.statusCode;
  const body = response?.body;
  const text = typeof body === 'string' && body ? body : Buffer.isBuffer(body) && body.length > 0 ? body.toString('utf8') : String((error as Error | undefined)?.message ?? error);
  return new ConsulRegistryError(`Consul ${what} failed: ${status ? `${status} ` : ''}${text}`, status, { cause: error });
}
