// The readiness rule for consumers: any started consumer that is down makes the service not ready, named.
import { assertConsumersRunning } from './consumers-running';

const subscription = (running: boolean) => ({ close: async () => undefined, isRunning: () => running });

it('passes when every started consumer runs, ignoring the ones not started', () => {
  expect(() => assertConsumersRunning({ commands: subscription(true), events: undefined })).not.toThrow();
});

it('names every consumer that is down', () => {
  expect(() => assertConsumersRunning({ commands: subscription(false), events: subscription(false), replies: subscription(true) })).toThrow(
    'consumers down, being rebuilt: commands, events',
  );
});
