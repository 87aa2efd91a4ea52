// Safety net for one e2e run, started detached by platform-processes.ts: when the test process dies without
// stopping its platform (worker killed, crash, Ctrl-C), it SIGKILLs the services still running, drops the
// run's databases and deletes its vhost, then releases the platform lock the dead process held (so the next run
// starts only once this one is cleaned up). It exits on its own when the state file disappears (a normal stop).
/* global fetch, setInterval, clearInterval */
const { existsSync, readFileSync, rmSync } = require('node:fs');

const [parentPid, stateFile] = process.argv.slice(2).map((arg, i) => (i === 0 ? Number(arg) : arg));

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
};

/** Only kills a pid that still runs the script it was started with (pids get reused). */
const runs = (pid, script) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(script);
  } catch {
    return false;
  }
};

async function cleanUp(state) {
  for (const { pid, script } of state.processes) if (runs(pid, script)) process.kill(pid, 'SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 500));
  const { Client } = require('pg');
  const client = new Client({ connectionString: state.adminDatabaseUrl, application_name: 'e2e-watchdog' });
  await client.connect();
  for (const name of state.databases) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  await client.end();
  const base = new URL(state.managementUrl);
  const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64');
  await fetch(`${base.origin}/api/vhosts/${state.vhost}`, { method: 'DELETE', headers: { authorization: `Basic ${auth}` } });
}

/** The lock (platform-lock.ts) is removed only if the dead process still holds it for this run. */
function releaseLock(state) {
  if (!state.lockFile) return;
  try {
    const holder = JSON.parse(readFileSync(state.lockFile, 'utf8'));
    if (holder.pid === parentPid && holder.run === state.vhost) rmSync(state.lockFile, { force: true });
  } catch {
    // gone, or not ours
  }
}

const timer = setInterval(() => {
  if (!existsSync(stateFile)) {
    clearInterval(timer);
    return;
  }
  if (alive(parentPid)) return;
  clearInterval(timer);
  const state = JSON.parse(readFileSync(stateFile, 'utf8'));
  cleanUp(state)
    .then(
      () => 0,
      () => 1,
    )
    .then((code) => {
      releaseLock(state);
      process.exit(code);
    });
}, 500);
