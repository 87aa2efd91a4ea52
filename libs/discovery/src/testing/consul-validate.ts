// Strict decoding of PUT /v1/agent/service/register bodies for the Consul double, following Consul's agent API docs.

export class DecodeError extends Error {}

export interface StoredService {
  Name: string;
  ID: string;
  Address: string;
  Port: number;
  Tags: string[];
  Meta: Record<string, string>;
  Check?: { HTTP: string; Interval: string; Timeout?: string; DeregisterCriticalServiceAfter?: string; Status?: string };
}

// Documented top-level fields we accept (a subset of Consul's service definition); anything else is a client bug.
const SERVICE_FIELDS = new Set(['Name', 'ID', 'Tags', 'Address', 'Meta', 'Port', 'Check', 'EnableTagOverride']);
const CHECK_FIELDS = new Set(['Name', 'CheckID', 'HTTP', 'Method', 'Header', 'Interval', 'Timeout', 'DeregisterCriticalServiceAfter', 'Status', 'Notes', 'TLSSkipVerify']);
// Go's time.ParseDuration syntax: Consul rejects bare numbers-as-strings and unit-less values.
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const META_KEY = /^[a-zA-Z0-9_-]+$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const fail = (message: string): never => {
  throw new DecodeError(`Request decode failed: ${message}`);
};

function rejectUnknown(body: Record<string, unknown>, allowed: Set<string>): void {
  // Consul's decoder is stricter than plain encoding/json here on purpose: a miscased field must not be silently dropped.
  for (const key of Object.keys(body)) if (!allowed.has(key)) fail(`json: unknown field "${key}"`);
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail(`json: cannot unmarshal ${typeof value} into Go struct field .${key} of type string`);
  return value as string;
}

function duration(body: Record<string, unknown>, key: string): string | undefined {
  const value = optionalString(body, key);
  if (value !== undefined && !GO_DURATION.test(value)) fail(`time: invalid duration "${value}"`);
  return value;
}

function decodeCheck(raw: unknown): StoredService['Check'] {
  if (!isObject(raw)) return fail('json: cannot unmarshal into Go struct field .Check of type structs.CheckType');
  rejectUnknown(raw, CHECK_FIELDS);
  const HTTP = optionalString(raw, 'HTTP');
  if (!HTTP) throw new DecodeError('Invalid check: only HTTP checks are implemented by this double');
  if (!/^https?:\/\/[^/]+/.test(HTTP)) fail(`invalid HTTP check URL "${HTTP}"`);
  const Interval = duration(raw, 'Interval');
  if (!Interval) throw new DecodeError('Invalid check: Interval must be > 0 for Script, HTTP, or TCP checks');
  const Status = optionalString(raw, 'Status');
  if (Status !== undefined && !['passing', 'warning', 'critical'].includes(Status)) throw new DecodeError(`Invalid check: status "${Status}"`);
  return { HTTP, Interval, Timeout: duration(raw, 'Timeout'), DeregisterCriticalServiceAfter: duration(raw, 'DeregisterCriticalServiceAfter'), Status };
}

export function decodeServiceDefinition(raw: unknown): StoredService {
  if (!isObject(raw)) return fail('json: cannot unmarshal into Go value of type structs.ServiceDefinition');
  rejectUnknown(raw, SERVICE_FIELDS);
  const Name = optionalString(raw, 'Name');
  if (!Name) throw new DecodeError('Missing service name');
  const Port = raw.Port ?? 0;
  if (typeof Port !== 'number' || !Number.isInteger(Port) || Port < 0 || Port > 65535) fail('json: cannot unmarshal into Go struct field .Port of type int');
  const Tags = raw.Tags ?? [];
  if (!Array.isArray(Tags) || Tags.some((tag) => typeof tag !== 'string')) fail('json: cannot unmarshal into Go struct field .Tags of type []string');
  const Meta = raw.Meta ?? {};
  if (!isObject(Meta) || Object.values(Meta).some((value) => typeof value !== 'string')) fail('json: cannot unmarshal into Go struct field .Meta of type map[string]string');
  for (const key of Object.keys(Meta as object)) {
    if (!META_KEY.test(key) || key.startsWith('consul-')) throw new DecodeError(`Invalid Service Meta: Key contains invalid characters or reserved prefix: "${key}"`);
  }
  return {
    Name,
    ID: optionalString(raw, 'ID') || Name,
    Address: optionalString(raw, 'Address') ?? '',
    Port: Port as number,
    Tags: [...(Tags as string[])],
    Meta: { ...(Meta as Record<string, string>) },
    Check: raw.Check === undefined ? undefined : decodeCheck(raw.Check),
  };
}

/** Consul's `wait` query parameter: a Go duration, capped at 10 minutes. */
export function parseWaitMs(value: string | null): number {
  if (value === null) return 5 * 60_000;
  const match = /^(\d+)(ms|s|m)?$/.exec(value);
  if (!match) throw new DecodeError('Invalid wait time');
  const unit = match[2] === 'ms' ? 1 : match[2] === 'm' ? 60_000 : 1_000;
  return Math.min(Number(match[1]) * unit, 10 * 60_000);
}
