// The chaos suite: each named scenario breaks something real mid-workload (a process, a broker, a network link, a
// fault rule), heals it, and then every order must be final, stock conserved, money right, one notification each,
// and no message left behind. Runs alone, after the other suites (it restarts the shared brokers).
import { PLATFORM_LOCK_TIMEOUT_MS } from '../e2e/support/platform-processes';
import { startChaosPlatform, runScenario, type ChaosPlatform } from './support/chaos-runner';
import { chaosScenarios } from './support/chaos-scenarios';
import { formatFigures, type ChaosFigures } from './support/chaos-invariants';

jest.setTimeout(240_000);

let chaos: ChaosPlatform | undefined;
const results: ChaosFigures[] = [];

beforeAll(async () => {
  chaos = await startChaosPlatform();
}, PLATFORM_LOCK_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await chaos?.stop();
  if (results.length > 0) console.log(`chaos summary:\n${results.map(formatFigures).join('\n')}`);
}, 120_000);

describe('chaos: break it mid-workload, heal it, every order ends consistently', () => {
  it.each(chaosScenarios.map((scenario) => [scenario.name, scenario] as const))('%s', async (_name, scenario) => {
    if (!chaos) throw new Error('the chaos platform did not start');
    const { figures, problems } = await runScenario(chaos, scenario, scenario.boundMs === undefined ? {} : { boundMs: scenario.boundMs });
    results.push(figures);
    expect({ problems, stuck: figures.stuck, lost: figures.lost, doubleCharges: figures.doubleCharges, undelivered: figures.undelivered }).toEqual({
      problems: [],
      stuck: 0,
      lost: 0,
      doubleCharges: 0,
      undelivered: 0,
    });
    // The workload ran: most orders reached the platform despite the fault, and the fault did what it names.
    expect(figures.orders).toBeGreaterThan(50);
    if (scenario.exercised) expect({ exercised: scenario.exercised.what, shown: scenario.exercised.check(figures) }).toEqual({ exercised: scenario.exercised.what, shown: true });
  });
});
