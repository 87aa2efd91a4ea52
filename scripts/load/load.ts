// `npm run load -- --rate 50 --duration 60 …`: open-loop orders through the gateway, a live progress line, and at the
// end the outcomes, the latency histogram and the invariants. Exit 0 when they hold, 1 when not, 2 on bad arguments.
import { parseLoadArgs, usage, UsageError } from './load-args';
import { runLoad, type LoadIO } from './load-run';

/** On a terminal the progress line is redrawn in place; in a log (CI, a pipe) it is one line every 5 s. */
function terminalIO(): LoadIO {
  const tty = process.stdout.isTTY === true;
  let showing = false;
  let lastPrinted = 0;
  return {
    line: (text) => {
      if (showing) process.stdout.write('\n');
      showing = false;
      process.stdout.write(`${text}\n`);
    },
    progress: (text) => {
      if (tty) {
        process.stdout.write(`\r${text}\x1b[K`);
        showing = true;
      } else if (Date.now() - lastPrinted >= 5_000) {
        lastPrinted = Date.now();
        process.stdout.write(`${text}\n`);
      }
    },
  };
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseLoadArgs(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`load: ${error.message}\n${usage}`);
    return 2;
  }
  if (options === 'help') {
    console.log(usage);
    return 0;
  }
  // Ctrl-C: stop the arrivals, remove the fault rules, print what happened; a second Ctrl-C leaves at once.
  const interrupt = new AbortController();
  process.on('SIGINT', () => (interrupt.signal.aborted ? process.exit(130) : interrupt.abort()));
  try {
    return (await runLoad(options, terminalIO(), interrupt.signal)).exitCode;
  } catch (error) {
    // A --fault the service refuses is found only once the run asks for it: still the arguments' fault.
    if (!(error instanceof UsageError)) throw error;
    console.error(`load: ${error.message}`);
    return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`\nload: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
