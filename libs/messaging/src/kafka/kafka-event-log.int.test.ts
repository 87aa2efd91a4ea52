// Runs the EventLog contract suite against a real Kafka broker (KAFKA_BROKERS, started by `npm run infra:up`).
import { Kafka, logLevel } from 'kafkajs';
import { describeEventLogContract } from '../testing/event-log.contract';
import { KafkaEventLog } from './kafka-event-log';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

describeEventLogContract('kafka', async () => {
  const log = await KafkaEventLog.connect({ brokers, clientId: 'contract-tests', heartbeatIntervalMs: 300, sessionTimeoutMs: 6_000, maxWaitTimeMs: 250 });
  const raw = new Kafka({ clientId: 'contract-tests-raw', brokers, logLevel: logLevel.NOTHING }).producer();
  await raw.connect();
  return {
    log,
    publishRaw: async (topic, key, value) => {
      await raw.send({ topic, acks: -1, messages: [{ key, value }] });
    },
    close: async () => {
      await raw.disconnect();
      await log.close();
    },
  };
});
