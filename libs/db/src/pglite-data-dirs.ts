// PGlite data folders: created (initdb) in a short-lived child process, so the long-running one never holds initdb's memory;
// and, when an existing one does not open, an error that says which PostgreSQL wrote it.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The child: initdb each folder by opening and closing a PGlite on it. */
const script = `
const { PGlite } = require(process.argv[1]);
(async () => {
  for (const dataDir of process.argv.slice(2)) {
    const db = await PGlite.create({ dataDir });
    await db.close();
  }
})().catch((error) => { console.error(error); process.exit(1); });
`;

/**
 * PGlite runs initdb in its own WebAssembly instance on a fresh folder, and that memory (about 400 MB) stays with the
 * process. Done here in a child that exits, the long-running process only ever opens initialised folders (about
 * 45 MB each, 170 MB for the first with the shared code). Folders that already hold a database are left alone.
 */
export async function initPgliteDataDirs(dataDirs: readonly string[]): Promise<string[]> {
  const fresh = dataDirs.filter((dir) => !existsSync(join(dir, 'PG_VERSION')));
  if (fresh.length === 0) return [];
  await run(process.execPath, ['-e', script, require.resolve('@electric-sql/pglite'), ...fresh], { timeout: 120_000 });
  return fresh;
}

/** The installed PGlite's version, from its package.json (not in its exports map, so read from disk). */
function pgliteVersion(): string {
  try {
    const manifest = join(dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** An existing PGlite data folder did not open; most likely another PostgreSQL major wrote it. */
export class PgliteDataDirError extends Error {
  override readonly name = 'PgliteDataDirError';
  constructor(
    readonly dataDir: string,
    /** The folder's PG_VERSION: the PostgreSQL major version that wrote it. */
    readonly writtenBy: string,
    readonly pgliteVersion: string,
    cause: unknown,
  ) {
    super(
      `PGlite ${pgliteVersion} could not open the database in ${dataDir}, written by PostgreSQL ${writtenBy} (its PG_VERSION). ` +
        'A PGlite data folder opens only with the PostgreSQL major version that wrote it (PGlite 0.5: PostgreSQL 18; 0.6: 19): ' +
        'to keep the data, dump it with the PGlite version that wrote it and load the dump into a new folder.',
      { cause },
    );
  }
}

/**
 * PGlite's only words for a data folder of another PostgreSQL major (PGlite 0.5 wrote PostgreSQL 18 folders, 0.6 runs
 * PostgreSQL 19) are "PGlite failed to initialize properly". When an existing folder fails to open, this names the
 * folder and the PostgreSQL major that wrote it; undefined when the folder holds no database.
 */
export function unopenableDataDirError(dataDir: string, cause: unknown): PgliteDataDirError | undefined {
  let writtenBy: string;
  try {
    writtenBy = readFileSync(join(dataDir, 'PG_VERSION'), 'utf8').trim();
  } catch {
    return undefined;
  }
  return new PgliteDataDirError(dataDir, writtenBy, pgliteVersion(), cause);
}
