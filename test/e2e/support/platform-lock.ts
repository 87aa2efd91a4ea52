// One platform at a time on this machine: the services' Kafka topics and consumer groups have fixed names, so two
// platforms running at once (two jest workers, a test and `npm run bench`) would join the same groups and take each
// other's events. A lock file serialises them; whoever comes second waits.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface LockHolder {
  /** The test process (or bench) that started the platform. */
  pid: number;
  run: string;
  since: string;
  /** Its watchdog: while it lives, the run may still be cleaning up after a dead holder. */
  watchdogPid?: number;
}

export interface PlatformLock {
  readonly file: string;
  /** Adds the watchdog's pid, so a dead holder's lock is only taken over once its watchdog is done too. */
  setWatchdog(pid: number): void;
  /** Removes the lock if it is still ours; safe to call more than once. */
  release(): void;
}

const alive = (pid: number | undefined): boolean => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function readHolder(file: string): { text: string; holder?: LockHolder } | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    try {
      return { text, holder: JSON.parse(text) as LockHolder };
    } catch {
      return { text }; // being written right now, or garbage: judged again on the next poll
    }
  } catch {
    return undefined; // gone: try to take it
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until no other platform runs, then holds the lock for `run`. A lock whose holder and watchdog are both
 * dead is stale and taken over. The same process asking twice is a mistake (its first platform would wait for
 * its second forever): that fails at once.
 */
export async function acquirePlatformLock(
  file: string,
  me: { pid: number; run: string },
  options: { timeoutMs: number; pollMs?: number; onWait?: (holder: LockHolder | undefined) => void },
): Promise<PlatformLock> {
  mkdirSync(dirname(file), { recursive: true });
  const deadline = Date.now() + options.timeoutMs;
  const mine: LockHolder = { pid: me.pid, run: me.run, since: new Date().toISOString() };
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(file, 'wx'); // atomic: exactly one creator wins
      try {
        writeSync(fd, JSON.stringify(mine));
      } finally {
        closeSync(fd);
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const current = readHolder(file);
    const holder = current?.holder;
    if (holder?.pid === me.pid) {
      throw new Error(`this process already runs e2e platform ${holder.run} (lock ${file}): stop it before starting another`);
    }
    if (current && holder && !alive(holder.pid) && !alive(holder.watchdogPid)) {
      // Stale: remove it only if it is still the same file content we judged (another waiter may have won meanwhile).
      if (readHolder(file)?.text === current.text) rmSync(file, { force: true });
      continue;
    }
    if (!announced) {
      options.onWait?.(holder);
      announced = true;
    }
    if (Date.now() > deadline) {
      throw new Error(`waited ${options.timeoutMs} ms for the e2e platform lock ${file}, held by ${current?.text ?? '(gone)'}; is another e2e run or bench still going?`);
    }
    await sleep(options.pollMs ?? 250);
  }

  let held = true;
  const stillMine = () => {
    const holder = readHolder(file)?.holder;
    return holder?.pid === me.pid && holder.run === me.run;
  };
  return {
    file,
    setWatchdog(pid) {
      if (!held || !stillMine()) return;
      // Written aside and renamed: a waiter never reads half a file.
      writeFileSync(`${file}.${me.pid}.tmp`, JSON.stringify({ ...mine, watchdogPid: pid }));
      renameSync(`${file}.${me.pid}.tmp`, file);
    },
    release() {
      if (!held) return;
      held = false;
      if (existsSync(file) && stillMine()) rmSync(file, { force: true });
    },
  };
}
