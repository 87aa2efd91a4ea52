// start:local's restart policy: backoff doubling and cap, reset after a stable run, the crash-loop window sliding.
import { decideAfterDeath, deathsWorthRemembering, defaultRestartPolicy, type Death, type RestartPolicy } from './restart-policy';

const SECOND = 1_000;

/** Deaths `gapMs` apart, each life never ready (a restart that died during its start counts like any other). */
const deathsEvery = (gapMs: number, count: number, from = 0): Death[] => Array.from({ length: count }, (_, i) => ({ at: from + i * gapMs }));

/** Decides about the last death of `deaths`, at its time. */
const decide = (deaths: Death[], policy?: RestartPolicy) => decideAfterDeath(deaths, deaths[deaths.length - 1].at, policy);

describe('the default numbers', () => {
  it('are 0.5 s doubling up to 10 s, reset after 30 s up, 5 deaths in 60 s give up', () => {
    expect(defaultRestartPolicy).toEqual({ initialDelayMs: 500, maxDelayMs: 10_000, stableAfterMs: 30_000, crashLoopDeaths: 5, crashLoopWindowMs: 60_000 });
  });
});

describe('backoff', () => {
  it('restarts after the first death in 0.5 s', () => {
    expect(decide([{ at: 40 * SECOND, upSince: 35 * SECOND }])).toEqual({ action: 'restart', delayMs: 500, deathsInWindow: 1 });
  });

  it('doubles with each death of a streak: 0.5, 1, 2, 4 s', () => {
    const deaths = deathsEvery(2 * SECOND, 4);
    expect([1, 2, 3, 4].map((n) => decide(deaths.slice(0, n)))).toEqual([
      { action: 'restart', delayMs: 500, deathsInWindow: 1 },
      { action: 'restart', delayMs: 1_000, deathsInWindow: 2 },
      { action: 'restart', delayMs: 2_000, deathsInWindow: 3 },
      { action: 'restart', delayMs: 4_000, deathsInWindow: 4 },
    ]);
  });

  it('is capped at 10 s: 8 s, then 10 s however long the streak', () => {
    // Lives of 25 s: never stable, never 5 deaths in 60 s, so the streak grows without a give-up.
    const deaths = deathsEvery(25 * SECOND, 9).map((death) => ({ ...death, upSince: death.at - 25 * SECOND + 1 }));
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => decide(deaths.slice(0, n)))).toEqual(
      [500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000, 10_000].map((delayMs, i) => ({ action: 'restart', delayMs, deathsInWindow: Math.min(i + 1, 3) })),
    );
  });

  it('counts a life that never became ready as part of the streak', () => {
    expect(decide([{ at: 0, upSince: -5 * SECOND }, { at: 31 * SECOND }, { at: 62 * SECOND }])).toMatchObject({ delayMs: 2_000 });
  });
});

describe('reset after a stable run', () => {
  it('starts again at 0.5 s when the life that just ended lasted 30 s from ready', () => {
    const streak = deathsEvery(2 * SECOND, 3);
    expect(decide([...streak, { at: 40 * SECOND, upSince: 10 * SECOND }])).toEqual({ action: 'restart', delayMs: 500, deathsInWindow: 4 });
  });

  it('does not reset a life of 29.999 s', () => {
    const streak = deathsEvery(2 * SECOND, 3);
    expect(decide([...streak, { at: 40 * SECOND, upSince: 10 * SECOND + 1 }])).toMatchObject({ action: 'restart', delayMs: 4_000 });
  });

  it('doubles again from 0.5 s for the deaths after the stable run', () => {
    const deaths: Death[] = [...deathsEvery(SECOND, 3), { at: 100 * SECOND, upSince: 50 * SECOND }, { at: 102 * SECOND, upSince: 101 * SECOND }, { at: 105 * SECOND }];
    expect(decide(deaths.slice(0, 4))).toMatchObject({ delayMs: 500 });
    expect(decide(deaths.slice(0, 5))).toMatchObject({ delayMs: 1_000 });
    expect(decide(deaths)).toMatchObject({ delayMs: 2_000 });
  });

  it('measures the stable run from ready, not from the start of the process', () => {
    // Up (ready) for 20 s of a 35 s life: not stable.
    expect(decide([{ at: 0 }, { at: 35 * SECOND, upSince: 15 * SECOND }])).toMatchObject({ delayMs: 1_000 });
  });
});

describe('crash loop', () => {
  it('gives up at the 5th death within 60 s', () => {
    const deaths = deathsEvery(10 * SECOND, 5);
    expect(decide(deaths.slice(0, 4))).toEqual({ action: 'restart', delayMs: 4_000, deathsInWindow: 4 });
    expect(decide(deaths)).toEqual({ action: 'give-up', deathsInWindow: 5 });
  });

  it('gives up even when the last life was stable: 5 deaths in 60 s is a loop however they are spaced', () => {
    expect(decide([...deathsEvery(SECOND, 4), { at: 45 * SECOND, upSince: 10 * SECOND }])).toEqual({ action: 'give-up', deathsInWindow: 5 });
  });

  it('lets old deaths slide out of the window', () => {
    // Four at 0-3 s, the fifth at 61 s: those at 0 and 1 s are 60 s old or more, those at 2 and 3 s still count.
    const deaths = [...deathsEvery(SECOND, 4), { at: 61 * SECOND }];
    expect(decide(deaths)).toEqual({ action: 'restart', delayMs: 8_000, deathsInWindow: 3 });
  });

  it('drops a death exactly 60 s old and keeps one 59.999 s old', () => {
    const recent = deathsEvery(SECOND, 4, 60 * SECOND);
    expect(decide([{ at: 63 * SECOND - 60 * SECOND }, ...recent])).toMatchObject({ action: 'restart', deathsInWindow: 4 });
    expect(decide([{ at: 63 * SECOND - 60 * SECOND + 1 }, ...recent])).toEqual({ action: 'give-up', deathsInWindow: 5 });
  });

  it('counts deaths relative to now, not to the latest death', () => {
    const deaths = deathsEvery(SECOND, 5);
    expect(decideAfterDeath(deaths, 4 * SECOND)).toMatchObject({ action: 'give-up' });
    expect(decideAfterDeath(deaths, 60.5 * SECOND)).toMatchObject({ action: 'restart', deathsInWindow: 4 });
  });
});

describe('another policy', () => {
  it('uses its numbers', () => {
    const policy: RestartPolicy = { initialDelayMs: 100, maxDelayMs: 250, stableAfterMs: 1_000, crashLoopDeaths: 3, crashLoopWindowMs: 5_000 };
    const deaths = deathsEvery(2 * SECOND, 4);
    expect([1, 2, 3, 4].map((n) => decide(deaths.slice(0, n), policy))).toEqual([
      { action: 'restart', delayMs: 100, deathsInWindow: 1 },
      { action: 'restart', delayMs: 200, deathsInWindow: 2 },
      { action: 'give-up', deathsInWindow: 3 },
      { action: 'give-up', deathsInWindow: 3 },
    ]);
  });
});

it('refuses to decide without a death', () => {
  expect(() => decideAfterDeath([], 0)).toThrow(RangeError);
});

describe('deathsWorthRemembering', () => {
  it('keeps the last 6 deaths by default (5 for the window, 6 for the backoff to reach 10 s)', () => {
    const deaths = deathsEvery(SECOND, 10);
    expect(deathsWorthRemembering(deaths)).toEqual(deaths.slice(4));
    expect(deathsWorthRemembering(deaths.slice(0, 3))).toEqual(deaths.slice(0, 3));
  });

  it('never changes a decision: the same action and delay on random histories as with the whole history', () => {
    // Park-Miller: a seeded generator, so a failure replays.
    let seed = 42;
    const random = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
    for (let run = 0; run < 500; run++) {
      const deaths: Death[] = [];
      let remembered: Death[] = [];
      let now = 0;
      for (let n = 0; n < 30; n++) {
        const upFor = random() < 0.2 ? undefined : random() * 40 * SECOND;
        now += SECOND + random() * 40 * SECOND;
        const death: Death = { at: now, upSince: upFor === undefined ? undefined : now - upFor };
        deaths.push(death);
        remembered = deathsWorthRemembering([...remembered, death]);
        const whole = decideAfterDeath(deaths, now);
        const trimmed = decideAfterDeath(remembered, now);
        expect({ action: trimmed.action, delay: trimmed.action === 'restart' ? trimmed.delayMs : undefined }).toEqual({
          action: whole.action,
          delay: whole.action === 'restart' ? whole.delayMs : undefined,
        });
        if (whole.action === 'give-up') break;
      }
    }
  });
});
