// `npm run chaos -- <scenario>`: starts the platform (every service its own process, each one's RabbitMQ link through
// Toxiproxy, the gateway in front with /api/admin/links on them), runs a mixed workload, breaks what the scenario
// names mid-way, heals it, and prints the invariant figures.
// `npm run chaos -- list` lists the scenarios; `npm run chaos -- all` runs every one.
import { runScenario, startChaosPlatform } from '../test/chaos/support/chaos-runner';
import { chaosScenarios, scenarioNamed } from '../test/chaos/support/chaos-scenarios';

async function main(): Promise<number> {
  const name = process.argv[2] ?? 'list';
  if (name === 'list' || name === '--help') {
    console.log('chaos scenarios (npm run chaos -- <name> | all):');
    for (const scenario of chaosScenarios) console.log(`  ${scenario.name.padEnd(26)} ${scenario.description}`);
    return 0;
  }
  const scenarios = name === 'all' ? chaosScenarios : [scenarioNamed(name)];
  const orders = Number(process.env.CHAOS_ORDERS ?? 100);
  console.log(`starting the platform (services as processes, RabbitMQ links through Toxiproxy, the gateway in front)…`);
  const chaos = await startChaosPlatform();
  console.log(`gateway and console: ${chaos.platform.urls.gateway}/ (admin / admin-secret; Break it: broker links)`);
  let failed = 0;
  try {
    for (const scenario of scenarios) {
      const { problems } = await runScenario(chaos, scenario, { orders, ...(scenario.boundMs === undefined ? {} : { boundMs: scenario.boundMs }) });
      if (problems.length > 0) {
        failed += 1;
        console.log(`  ✗ ${scenario.name}: ${problems.length} problem(s):\n    ${problems.slice(0, 20).join('\n    ')}`);
      } else {
        console.log(`  ✓ ${scenario.name}: every invariant holds`);
      }
    }
  } finally {
    await chaos.stop();
  }
  console.log(`service logs: ${chaos.platform.logDir}`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
