// `npm start`: until the services land, says what the platform will run and how to reach the brokers today.
'use strict';

const lines = [
  'saga-platform — embedded mode is not built yet.',
  '',
  'When it lands, `npm start` will run in ONE process, with no infrastructure:',
  '  gateway (http://localhost:8080) + order, inventory, payment, notification + the payment provider,',
  '  in-memory twins of Kafka, RabbitMQ and the registry, and PGlite databases under .local/embedded.',
  '',
  'What works today:',
  '  npm run infra:up      start PostgreSQL, RabbitMQ, Kafka, Redis and Toxiproxy natively (no Docker)',
  '  npm run infra:status  show what is running',
  '  npm test              install, start the infrastructure, type-check, lint and run every test',
];
console.log(lines.join('\n'));
