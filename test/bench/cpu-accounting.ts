// Where the machine's CPU goes during a run: CPU time of each platform process, of PostgreSQL, RabbitMQ and Kafka, and
// of the bench itself, read from /proc before and after (Linux only; elsewhere the accounting is simply absent).
import { readdirSync, readFileSync } from 'node:fs';

/** A named group of processes: a service, or a broker or the database with all its worker processes. */
export interface CpuGroup {
  name: string;
  pids: () => number[];
  /** Also count the CPU of children that exited and were reaped (PostgreSQL's backends come and go). */
  withReapedChildren?: boolean;
}

const clockTicksPerSecond = 100; // USER_HZ on Linux

function statFields(pid: number): string[] | undefined {
  try {
    // The command name may hold spaces and parentheses: the fields start after its closing one.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // exited meanwhile
  }
}

/** utime + stime (and cutime + cstime) of one process, in ms. */
function cpuMsOf(pid: number, withReapedChildren: boolean): number {
  const fields = statFields(pid);
  if (!fields) return 0;
  // After the name: state is field 3 of stat(5), so utime (14) is index 11 here.
  const ticks = Number(fields[11]) + Number(fields[12]) + (withReapedChildren ? Number(fields[13]) + Number(fields[14]) : 0);
  return (ticks * 1000) / clockTicksPerSecond;
}

const allPids = (): number[] => readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map(Number);

const commandLineOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
};

const nameOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};

/** The infrastructure every platform shares on this machine, found by process name. */
export const infrastructureGroups: CpuGroup[] = [
  { name: 'postgresql', pids: () => allPids().filter((pid) => nameOf(pid) === 'postgres'), withReapedChildren: true },
  { name: 'rabbitmq', pids: () => allPids().filter((pid) => nameOf(pid) === 'beam.smp') },
  { name: 'kafka', pids: () => allPids().filter((pid) => nameOf(pid) === 'java' && commandLineOf(pid).includes('kafka.Kafka')) },
];

export interface CpuSample {
  at: number;
  /** ms of CPU per group, summed over its processes. */
  ms: Map<string, number>;
}

export function sampleCpu(groups: readonly CpuGroup[]): CpuSample {
  const ms = new Map<string, number>();
  for (const group of groups) {
    ms.set(group.name, group.pids().reduce((sum, pid) => sum + cpuMsOf(pid, group.withReapedChildren ?? false), 0));
  }
  return { at: Date.now(), ms };
}

export interface CpuUse {
  name: string;
  /** ms of CPU between the two samples. */
  ms: number;
}

/** CPU used per group between two samples, largest first; a group whose processes all exited shows what it had. */
export function cpuBetween(before: CpuSample, after: CpuSample): { wallMs: number; uses: CpuUse[] } {
  const uses = [...after.ms].map(([name, ms]) => ({ name, ms: Math.max(0, ms - (before.ms.get(name) ?? 0)) }));
  return { wallMs: after.at - before.at, uses: uses.sort((a, b) => b.ms - a.ms) };
}

/** One line per group: ms of CPU per order and its share of the machine's cores over the run. */
export function printCpuPerOrder(label: string, used: { wallMs: number; uses: CpuUse[] }, orders: number, cores: number): void {
  const total = used.uses.reduce((sum, use) => sum + use.ms, 0);
  const capacity = used.wallMs * cores;
  console.log(`  CPU per order during ${label} (${cores} cores, ${(used.wallMs / 1000).toFixed(1)} s; ${((total / capacity) * 100).toFixed(0)} % of the machine used):`);
  for (const use of used.uses) {
    console.log(`    ${use.name.padEnd(14)} ${(use.ms / orders).toFixed(1).padStart(6)} ms  ${((use.ms / total) * 100).toFixed(0).padStart(3)} %`);
  }
  // If every core did nothing but this work: the ceiling this CPU cost per order sets on throughput.
  console.log(`    ${'total'.padEnd(14)} ${(total / orders).toFixed(1).padStart(6)} ms  (a ceiling of ${((cores * 1000) / (total / orders)).toFixed(0)} orders/s on ${cores} cores)`);
}

/** Samples the groups' CPU every `everyMs` until stopped: where the CPU went at each moment of a run, not on average. */
export function recordCpuTimeline(groups: readonly CpuGroup[], everyMs: number): { stop(): CpuSample[] } {
  const samples = [sampleCpu(groups)];
  const timer = setInterval(() => samples.push(sampleCpu(groups)), everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      samples.push(sampleCpu(groups));
      return samples;
    },
  };
}

/** Each group's CPU between the last sample at or before `from` and the first at or after `to` (epoch ms), as % of one core. */
export function coreShareBetween(samples: readonly CpuSample[], from: number, to: number): { name: string; percentOfCore: number }[] {
  const before = [...samples].reverse().find((sample) => sample.at <= from) ?? samples[0]!;
  const after = samples.find((sample) => sample.at >= to) ?? samples.at(-1)!;
  const used = cpuBetween(before, after);
  return used.uses.map((use) => ({ name: use.name, percentOfCore: used.wallMs > 0 ? (use.ms / used.wallMs) * 100 : 0 }));
}
