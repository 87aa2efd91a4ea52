// Go's time.ParseDuration for the durations Consul accepts in check definitions ("5s", "1m30s", "500ms").
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go duration string; throws on anything Go would reject (the double already validated the body). */
export function parseGoDurationMs(value: string): number {
  const parts = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/.test(value) ? value.match(/\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h)/g) : null;
  if (!parts) throw new Error(`time: invalid duration "${value}"`);
  return parts.reduce((total, part) => {
    const [, amount, unit] = /^(\d+(?:\.\d+)?)(.+)$/.exec(part) as RegExpExecArray;
    return total + Number(amount) * (UNIT_MS[unit as string] as number);
  }, 0);
}
