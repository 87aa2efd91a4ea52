// Unit tests of CoalescingRunner: one run at a time, and a burst of calls during a run becomes exactly one more run.
import { CoalescingRunner } from './coalescing-runner';

function controllableTask() {
  const releases: Array<() => void> = [];
  let started = 0;
  const runner = new CoalescingRunner(async () => {
    const run = ++started;
    await new Promise<void>((resolve) => releases.push(resolve));
    return run;
  });
  const releaseNext = async () => {
    while (releases.length === 0) await new Promise((resolve) => setImmediate(resolve));
    releases.shift()!();
  };
  return { runner, releaseNext, started: () => started };
}

it('shares one follow-up run among every call made while a run is in progress', async () => {
  const { runner, releaseNext, started } = controllableTask();
  const first = runner.run();
  const burst = [runner.run(), runner.run(), runner.run()];
  expect(started()).toBe(1);
  await releaseNext();
  expect(await first).toBe(1);
  await releaseNext();
  expect(await Promise.all(burst)).toEqual([2, 2, 2]);
  expect(started()).toBe(2);
});

it('starts a fresh run when called after everything settled, and idle() waits for queued runs', async () => {
  const { runner, releaseNext, started } = controllableTask();
  const first = runner.run();
  const second = runner.run();
  let idle = false;
  const waiting = runner.idle().then(() => {
    idle = true;
  });
  await releaseNext();
  await first;
  expect(idle).toBe(false);
  await releaseNext();
  await Promise.all([second, waiting]);
  expect(idle).toBe(true);
  const third = runner.run();
  await releaseNext();
  expect(await third).toBe(3);
  expect(started()).toBe(3);
});

it('still runs the follow-up when the current run fails, and reports each failure to its own callers', async () => {
  let calls = 0;
  const runner = new CoalescingRunner(async () => {
    calls += 1;
    if (calls === 1) throw new Error('database down');
    return calls;
  });
  const first = runner.run();
  const second = runner.run();
  await expect(first).rejects.toThrow('database down');
  await expect(second).resolves.toBe(2);
});
