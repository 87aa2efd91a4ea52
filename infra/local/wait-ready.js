// Waits until each local infrastructure component answers its own protocol; exits non-zero naming the one that does not.
'use strict';

// Usage: node infra/local/wait-ready.js <component>=<log file>[,<log file>] ...
// Addresses come from the same variables the services read (infra.sh exports them before calling us).

const net = require('node:net');
const http = require('node:http');
const { Kafka, logLevel } = require('kafkajs');
const amqp = require('amqplib');
const { Client } = require('pg');

const env = process.env;
// WAIT_READY_TIMEOUT_S replaces every per-component deadline (a slow CI machine, or a quick failure test).
const DEADLINE_OVERRIDE_S = Number(env.WAIT_READY_TIMEOUT_S) || 0;
const POLL_MS = 250;
// One attempt never blocks longer than this, so a hung socket cannot eat the whole deadline.
const ATTEMPT_MS = 3000;

const withTimeout = (promise, ms, what) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error) => { clearTimeout(timer); reject(error); },
    );
  });

const hostPort = (url) => {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
};

// Each check resolves when the component does real work for us, and throws otherwise.
const checks = {
  kafka: {
    deadlineS: 90,
    tried: () => `kafkajs admin describeCluster on ${env.KAFKA_BROKERS}`,
    async probe() {
      const kafka = new Kafka({
        clientId: 'wait-ready',
        brokers: env.KAFKA_BROKERS.split(','),
        logLevel: logLevel.NOTHING,
        connectionTimeout: ATTEMPT_MS,
        requestTimeout: ATTEMPT_MS,
        retry: { retries: 0 },
      });
      const admin = kafka.admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length === 0) throw new Error('describeCluster listed no broker');
      } finally {
        await admin.disconnect().catch(() => {});
      }
    },
  },
  rabbitmq: {
    deadlineS: 60,
    tried: () => `an AMQP connection to ${env.RABBITMQ_URL.replace(/:[^:@/]*@/, ':***@')}`,
    async probe() {
      const connection = await amqp.connect(env.RABBITMQ_URL, { timeout: ATTEMPT_MS });
      connection.on('error', () => {});
      await connection.close();
    },
  },
  postgres: {
    deadlineS: 30,
    tried: () => `"select 1" as saga on ${env.PG_DATABASES} at ${env.POSTGRES_URL.replace(/:[^:@/]*@/, ':***@')}`,
    async probe() {
      for (const db of env.PG_DATABASES.split(/\s+/).filter(Boolean)) {
        const client = new Client({ connectionString: `${env.POSTGRES_URL}/${db}`, connectionTimeoutMillis: ATTEMPT_MS });
        client.on('error', () => {});
        try {
          await client.connect();
          await client.query('select 1');
        } catch (error) {
          throw new Error(`${db}: ${error.message}`, { cause: error });
        } finally {
          await client.end().catch(() => {});
        }
      }
    },
  },
  redis: {
    deadlineS: 20,
    tried: () => `PING -> +PONG over TCP to ${env.REDIS_URL}`,
    probe: () =>
      new Promise((resolve, reject) => {
        const socket = net.connect(hostPort(env.REDIS_URL));
        let reply = '';
        socket.setTimeout(ATTEMPT_MS, () => socket.destroy(new Error('no reply to PING')));
        socket.on('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
        socket.on('data', (chunk) => {
          reply += chunk.toString('latin1');
          if (!reply.includes('\r\n')) return;
          socket.destroy();
          // A loading or misconfigured server answers -LOADING / -DENIED instead.
          if (reply.startsWith('+PONG')) resolve();
          else reject(new Error(`replied ${reply.trim()}`));
        });
        socket.on('error', reject);
        socket.on('close', () => reject(new Error('connection closed before a reply')));
      }),
  },
  toxiproxy: {
    deadlineS: 20,
    tried: () => `GET ${env.TOXIPROXY_URL}/version`,
    probe: () =>
      new Promise((resolve, reject) => {
        const request = http.get(`${env.TOXIPROXY_URL}/version`, { timeout: ATTEMPT_MS }, (response) => {
          response.resume();
          if (response.statusCode === 200) resolve();
          else reject(new Error(`HTTP ${response.statusCode}`));
        });
        request.on('timeout', () => request.destroy(new Error('no HTTP answer')));
        request.on('error', reject);
      }),
  },
  prometheus: {
    deadlineS: 30,
    tried: () => `GET ${env.PROMETHEUS_URL}/-/ready`,
    // /-/ready answers 200 once the TSDB is open and the scrape config loaded (503 while it starts).
    probe: () =>
      new Promise((resolve, reject) => {
        const request = http.get(`${env.PROMETHEUS_URL}/-/ready`, { timeout: ATTEMPT_MS }, (response) => {
          response.resume();
          if (response.statusCode === 200) resolve();
          else reject(new Error(`HTTP ${response.statusCode}`));
        });
        request.on('timeout', () => request.destroy(new Error('no HTTP answer')));
        request.on('error', reject);
      }),
  },
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(name, logs) {
  const check = checks[name];
  if (!check) throw new Error(`unknown component "${name}" (known: ${Object.keys(checks).join(', ')})`);
  const started = Date.now();
  const deadlineS = DEADLINE_OVERRIDE_S || check.deadlineS;
  const deadline = started + deadlineS * 1000;
  let lastError;
  for (;;) {
    try {
      await withTimeout(check.probe(), ATTEMPT_MS + 1000, name);
      console.log(`infra: ${name}: ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      return true;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() + POLL_MS > deadline) break;
    await sleep(POLL_MS);
  }
  console.error(
    [
      `infra: ERROR: ${name} is not ready after ${deadlineS} s.`,
      `  tried: ${check.tried()}`,
      `  last error: ${lastError && lastError.message}`,
      `  log: ${logs.join(' and ')}`,
    ].join('\n'),
  );
  return false;
}

async function main() {
  const targets = process.argv.slice(2).map((arg) => {
    const [name, logs = ''] = arg.split('=');
    return { name, logs: logs.split(',').filter(Boolean) };
  });
  if (targets.length === 0) throw new Error('usage: wait-ready.js <component>=<log>[,<log>] ...');
  // All components are polled at once: the slowest one sets the total time.
  const results = await Promise.all(targets.map(({ name, logs }) => waitFor(name, logs)));
  process.exit(results.every(Boolean) ? 0 : 1);
}

main().catch((error) => {
  console.error(`infra: ERROR: wait-ready: ${error.message}`);
  process.exit(1);
});
