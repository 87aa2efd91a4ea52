// `npm run load` arguments and environment → LoadOptions, or a UsageError that says what is wrong (the entry exits 2).
import { sagaModes, type SagaMode } from '@saga/contracts';
import { faultRuleInput, type ParsedFaultRule } from '@saga/faults';

export type LoadMode = SagaMode | 'mixed';
/** The services whose fault rules the gateway's /api/admin/faults/{service} reaches. */
export const faultServices = ['order', 'inventory', 'payment', 'notification'] as const;
export type FaultService = (typeof faultServices)[number];

export interface FaultOption {
  /** As written on the command line, for the report. */
  spec: string;
  service: FaultService;
  rule: ParsedFaultRule;
}

export interface Credentials {
  username: string;
  password: string;
}

export interface LoadOptions {
  url: string;
  ratePerSecond: number;
  durationSeconds: number;
  mode: LoadMode;
  /** Shares of all orders (0…1): paid with the provider's declining test card; asking for more than the shelf holds. */
  declined: number;
  outOfStock: number;
  faults: FaultOption[];
  /** After the last arrival, how long the orders in flight have to reach APPROVED or CANCELLED. */
  drainSeconds: number;
  /** Who places the orders (round robin), and the admin who restocks, injects faults and reads the books. */
  customers: Credentials[];
  admin: Credentials;
}

export class UsageError extends Error {}

export const usage = `usage: npm run load -- [--rate <orders/s>] [--duration <s>] [--mode orchestration|choreography|mixed]
                       [--declined <share>] [--out-of-stock <share>] [--fault <rule>]… [--drain <s>] [--url <gateway>]
  --rate 10 --duration 30     open loop: order i leaves i/rate s after the start, whatever the platform answered
  --mode mixed                the saga mode of the orders (mixed: half and half)
  --declined 0%               share paying with the provider's declining test card (10% or 0.1)
  --out-of-stock 0%           share asking for one unit more than the scarcest product holds
  --fault <rule>              service.operation.effect[:delayMs][=probability[xTimes]], e.g. payment.charge.error=0.1:
                              added through the gateway before the arrivals, removed after them (repeatable)
  --drain 60                  seconds the orders in flight get to end once the arrivals stop
  --url http://localhost:8080 the gateway, whichever way the platform runs (npm start, start:local, docker compose)
environment: LOAD_USERS=alice:alice-secret,bob:bob-secret (who places the orders), LOAD_ADMIN=admin:admin-secret
exit: 0 every invariant holds, 1 one failed or orders were stuck after the drain, 2 bad arguments`;

const flags = ['rate', 'duration', 'mode', 'declined', 'out-of-stock', 'fault', 'drain', 'url'] as const;
type Flag = (typeof flags)[number];

function positive(flag: string, raw: string, max: number): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0 || value > max) throw new UsageError(`--${flag} must be a number above 0 and at most ${max}, got "${raw}"`);
  return value;
}

/** "10%" or "0.1" → 0.1; a bare number above 1 is refused (10 could mean 10 % or a mistake). */
export function share(flag: string, raw: string): number {
  const percent = raw.trim().endsWith('%');
  const value = Number(percent ? raw.trim().slice(0, -1) : raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0) throw new UsageError(`--${flag} must be a share such as 10% or 0.1, got "${raw}"`);
  if (!percent && value > 1) throw new UsageError(`--${flag} ${raw}: write ${raw}% for a percentage, or a fraction between 0 and 1`);
  if (percent && value > 100) throw new UsageError(`--${flag} must be at most 100%, got "${raw}"`);
  return percent ? value / 100 : value;
}

/**
 * `payment.charge.error=0.1`, `inventory.reserve.delay:800=50%`, `payment.refund.error=1x3` (at most 3 times),
 * `order.consumer.duplicate` (probability 1, no limit).
 */
export function parseFault(spec: string): FaultOption {
  const match = /^([a-z]+)\.([A-Za-z0-9:_-]+)\.([a-z-]+)(?::(\d+))?(?:=([^x]+)(?:x(\d+))?)?$/.exec(spec);
  if (!match) throw new UsageError(`--fault ${spec}: expected service.operation.effect[:delayMs][=probability[xTimes]], e.g. payment.charge.error=0.1`);
  const [, service, operation, effect, delayMs, probability, times] = match;
  if (!(faultServices as readonly string[]).includes(service!)) throw new UsageError(`--fault ${spec}: the service must be one of ${faultServices.join(', ')}`);
  const input = {
    operation,
    effect,
    probability: probability === undefined ? 1 : share('fault', probability),
    ...(delayMs ? { delayMs: Number(delayMs) } : {}),
    ...(times ? { times: Number(times) } : {}),
  };
  // The library's own rule schema: what it refuses here, the service would refuse with a 400.
  const parsed = faultRuleInput.safeParse(input);
  if (!parsed.success) throw new UsageError(`--fault ${spec}: ${parsed.error.issues.map((issue) => issue.message).join('; ')} (the form: service.operation.effect[:delayMs][=probability[xTimes]])`);
  return { spec, service: service as FaultService, rule: parsed.data };
}

function credentials(variable: string, raw: string): Credentials[] {
  return raw.split(',').map((pair) => {
    const colon = pair.indexOf(':');
    if (colon <= 0 || colon === pair.length - 1) throw new UsageError(`${variable} must be user:password[,user:password…], got an entry without both`);
    return { username: pair.slice(0, colon), password: pair.slice(colon + 1) };
  });
}

function gatewayUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url must be the gateway's address such as http://localhost:8080, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be http or https, got "${raw}"`);
  return url.toString().replace(/\/$/, '');
}

/** `--flag value` and `--flag=value`; 'help' for --help/-h. */
export function parseLoadArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): LoadOptions | 'help' {
  const given: Partial<Record<Flag, string>> = {};
  const faults: FaultOption[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    const [name, inline] = arg.startsWith('--') ? [arg.slice(2).split('=')[0]!, arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : undefined] : [arg, undefined];
    if (!arg.startsWith('--') || !(flags as readonly string[]).includes(name)) throw new UsageError(`unknown argument "${arg}"`);
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    if (name === 'fault') faults.push(parseFault(value));
    else given[name as Flag] = value;
  }
  const mode = given.mode ?? 'mixed';
  if (mode !== 'mixed' && !(sagaModes as readonly string[]).includes(mode)) throw new UsageError(`--mode must be orchestration, choreography or mixed, got "${mode}"`);
  const declined = share('declined', given.declined ?? '0');
  const outOfStock = share('out-of-stock', given['out-of-stock'] ?? '0');
  if (declined + outOfStock > 1) throw new UsageError(`--declined and --out-of-stock add up to more than 100%`);
  const admins = credentials('LOAD_ADMIN', env.LOAD_ADMIN ?? 'admin:admin-secret');
  if (admins.length !== 1) throw new UsageError('LOAD_ADMIN names one admin (user:password)');
  const ratePerSecond = positive('rate', given.rate ?? '10', 10_000);
  const durationSeconds = positive('duration', given.duration ?? '30', 24 * 3600);
  if (ratePerSecond * durationSeconds < 1) throw new UsageError(`--rate ${ratePerSecond} for --duration ${durationSeconds} s is less than one order`);
  return {
    url: gatewayUrl(given.url ?? 'http://localhost:8080'),
    ratePerSecond,
    durationSeconds,
    mode: mode as LoadMode,
    declined,
    outOfStock,
    faults,
    drainSeconds: positive('drain', given.drain ?? '60', 3600),
    customers: credentials('LOAD_USERS', env.LOAD_USERS ?? 'alice:alice-secret,bob:bob-secret'),
    admin: admins[0]!,
  };
}
