// Runs the CommandBus contract suite against the in-memory twin.
import { describeCommandBusContract } from '../testing/command-bus.contract';
import { InMemoryCommandBus } from './in-memory-command-bus';

describeCommandBusContract('in-memory', async () => {
  const bus = new InMemoryCommandBus();
  return {
    bus,
    // One process, one broker: a "second connection" is the same broker, and closing it leaves the broker running.
    secondBus: async () => ({
      ensureQueue: (spec) => bus.ensureQueue(spec),
      send: (routingKey, envelope, options) => bus.send(routingKey, envelope, options),
      consume: (consumer) => bus.consume(consumer),
      peekDeadLetters: () => bus.peekDeadLetters(),
      redriveDeadLetter: (id) => bus.redriveDeadLetter(id),
      close: async () => undefined,
    }),
    sendRaw: async (routingKey, raw) => bus.sendRaw(routingKey, raw),
    close: () => bus.close(),
  };
}, 2_000);
