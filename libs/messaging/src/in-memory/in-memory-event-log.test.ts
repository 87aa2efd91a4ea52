// Runs the EventLog contract suite against the in-memory twin.
import { describeEventLogContract } from '../testing/event-log.contract';
import { InMemoryEventLog } from './in-memory-event-log';

describeEventLogContract('in-memory', async () => {
  const log = new InMemoryEventLog();
  return { log, publishRaw: (topic, key, raw) => log.publishRaw(topic, key, raw), close: () => log.close() };
}, 2_000);
