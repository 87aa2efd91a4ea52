// Helpers shared by the benchmarks that spawn a gateway process: its environment, logging in through it, its memory.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '../..');

/** Only what a Node process needs from ours: the bench's own variables (BENCH_*, DATABASE_URL…) stay out, as in the e2e harness. */
export function childEnv(extra: Record<string, string>): Record<string, string> {
  const keep = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR'];
  const inherited = Object.fromEntries(keep.flatMap((key) => (process.env[key] === undefined ? [] : [[key, process.env[key] as string]])));
  return { ...inherited, ...extra };
}

/** POST /auth/token on the gateway's demo issuer; the access token, or an error with the gateway's answer. */
export async function login(gatewayUrl: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${gatewayUrl}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await response.json()) as { access_token?: unknown };
  if (response.status !== 200 || typeof body.access_token !== 'string') throw new Error(`login as ${username} failed: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/**
 * A kB field of /proc/<pid>/status (VmRSS: resident now; VmHWM: the peak resident size) in MB. Linux only, like
 * the rest of the bench's memory figures.
 */
export function procStatusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((row) => row.startsWith(`${field}:`));
  if (!line) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(line.replace(/\D+/g, '')) / 1024;
}
