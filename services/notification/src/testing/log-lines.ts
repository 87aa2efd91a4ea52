// Test helper: a logger whose JSON lines are kept in memory, to wait for what the service says it did.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@saga/platform';

export interface CapturedLogs {
  logger: Logger;
  lines: Record<string, unknown>[];
}

export function captureLogs(service = 'notification'): CapturedLogs {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ service, level: 'debug', destination }), lines };
}
