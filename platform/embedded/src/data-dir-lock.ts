// One `npm start` per data directory: PGlite's files must never be opened by two processes at once, so a second
// start on the same folder is refused with the variables that separate them.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const lockFileName = 'npm-start.pid';

/** Whether a process with this pid runs now (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The data directory `npm start` uses when SAGA_DATA_DIR is unset: `.local/embedded` on the default port, one folder
 * per gateway port otherwise, so that two starts on different PORTs run side by side without another setting.
 */
export function defaultDataDir(gatewayPort: number): string {
  return gatewayPort === 8080 ? '.local/embedded' : `.local/embedded-${gatewayPort}`;
}

/**
 * Claims `dir` for this process, or throws naming the process that holds it. A lock left by a process that is gone
 * (killed, crashed) is taken over. Returns the release, to run once the databases are closed.
 */
export function claimDataDir(dir: string, pid = process.pid, alive: (pid: number) => boolean = processAlive): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, lockFileName);
  let holder: number | undefined;
  try {
    holder = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
  } catch {
    holder = undefined;
  }
  if (holder !== undefined && Number.isInteger(holder) && holder !== pid && alive(holder)) {
    throw new Error(
      `another npm start (pid ${holder}) is using the databases in ${dir}: stop it, or give this one its own folder ` +
        `(SAGA_DATA_DIR=…, or another PORT: each port has its own folder by default)`,
    );
  }
  writeFileSync(file, `${pid}\n`);
  return () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(pid)) rmSync(file, { force: true });
    } catch {
      // Already gone: nothing to release.
    }
  };
}
