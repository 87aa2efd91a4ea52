// Preloaded into every process `npm run start:local` spawns (`node -r ./scripts/exit-with-parent.js main.js`):
// if the launcher disappears without stopping it (SIGKILL, crash), the child is re-parented; it notices and ends
// itself so no orphan keeps the ports. Not gracefully: its stdout/stderr (pipes into the dead launcher) are broken by
// then and a logger flushing into them can block a graceful shutdown forever; the brokers redeliver whatever was in flight.
'use strict';
/* global setInterval */
const launcher = process.ppid;
setInterval(() => {
  if (process.ppid !== launcher) process.kill(process.pid, 'SIGKILL');
}, 500).unref();
