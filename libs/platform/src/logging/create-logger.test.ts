// createLogger / withCorrelation: the JSON lines a log collector receives.
import { trace } from '@opentelemetry/api';
import { recordSpans } from '@saga/tracing/testing';
import { createLogger, withCorrelation } from './create-logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(JSON.parse(line)) } };
}

describe('createLogger', () => {
  it('writes JSON with the service, a level label and an ISO time on every line', () => {
    const { lines, destination } = capture();
    createLogger({ service: 'order', destination }).info({ step: 'T1' }, 'order created');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ service: 'order', level: 'info', msg: 'order created', step: 'T1' });
    expect(new Date(String(lines[0]!.time)).toISOString()).toBe(lines[0]!.time);
  });

  it('stamps the active span\'s traceId and spanId on every line written inside it, and none outside', () => {
    recordSpans();
    const { lines, destination } = capture();
    const logger = withCorrelation(createLogger({ service: 'order', destination }), { orderId: 'o-1' });
    trace.getTracer('test').startActiveSpan('place order', (active) => {
      logger.info('order placed');
      active.end();
    });
    logger.info('outside');
    const { traceId, spanId } = lines[0] as { traceId: string; spanId: string };
    expect(lines[0]).toMatchObject({ orderId: 'o-1', msg: 'order placed' });
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(lines[1]).not.toHaveProperty('traceId');
  });

  it('respects the level', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ service: 'order', level: 'warn', destination });
    logger.info('hidden');
    logger.warn('shown');
    expect(lines.map((l) => l.msg)).toEqual(['shown']);
  });

  it('redacts authorization headers, cookies and passwords', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ service: 'gateway', destination, redact: ['*.cardNumber'] });
    logger.info({
      req: { headers: { authorization: 'Bearer abc', cookie: 'sid=1', accept: 'json' } },
      user: { name: 'ada', password: 'hunter2' },
      payment: { cardNumber: '4111111111111111' },
      password: 'top',
    });
    const text = JSON.stringify(lines[0]);
    for (const secret of ['Bearer abc', 'sid=1', 'hunter2', '4111111111111111', '"top"']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      req: { headers: { authorization: '[REDACTED]', accept: 'json' } },
      user: { name: 'ada', password: '[REDACTED]' },
    });
  });
});

describe('withCorrelation', () => {
  it('stamps correlation ids on every line of the child, leaving unset ones out', () => {
    const { lines, destination } = capture();
    const child = withCorrelation(createLogger({ service: 'payment', destination }), {
      orderId: 'o-1',
      sagaId: 's-1',
      traceId: undefined,
    });
    child.info('charging');
    child.error('declined');
    for (const line of lines) expect(line).toMatchObject({ service: 'payment', orderId: 'o-1', sagaId: 's-1' });
    expect(lines[0]).not.toHaveProperty('traceId');
  });
});
