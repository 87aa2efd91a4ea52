// Read sampling: which requests go untraced (reads at their ratio, writes never, a traceparent obeyed inside the
// platform and not at the edge), and the sampler that keeps a trace whole.
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace, type Context } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace';
import { leavesReadUntraced, readSampleRatioOf, sagaFirstSampler } from './read-sampler';

const sampled = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const unsampled = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00';
const request = (method: string, traceparent?: string) => ({ method, headers: traceparent ? { traceparent } : {} });
const draw = (value: number) => () => value;

describe('leavesReadUntraced', () => {
  const inside = { ratio: 0.1, edge: false };

  it('never leaves a write untraced: a POST, PUT, PATCH or DELETE may start a saga', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(leavesReadUntraced(request(method), { ...inside, ratio: 0, random: draw(0.99) })).toBe(false);
      expect(leavesReadUntraced(request(method, unsampled), { ratio: 0, edge: true, random: draw(0.99) })).toBe(false);
    }
  });

  it('traces a read that starts a trace at the ratio', () => {
    expect(leavesReadUntraced(request('GET'), { ...inside, random: draw(0.05) })).toBe(false);
    expect(leavesReadUntraced(request('GET'), { ...inside, random: draw(0.1) })).toBe(true);
    expect(leavesReadUntraced(request('HEAD'), { ...inside, random: draw(0.5) })).toBe(true);
    expect(leavesReadUntraced(request('GET'), { ...inside, ratio: 1, random: draw(0.999) })).toBe(false);
    expect(leavesReadUntraced(request('GET'), { ...inside, ratio: 0, random: draw(0) })).toBe(true);
  });

  it('inside the platform, a read follows the traceparent it carries: a saga\'s price lookup is traced', () => {
    expect(leavesReadUntraced(request('GET', sampled), { ...inside, ratio: 0, random: draw(0.99) })).toBe(false);
    expect(leavesReadUntraced(request('GET', unsampled), { ...inside, ratio: 1, random: draw(0) })).toBe(true);
    // A malformed traceparent is no decision: the read starts a trace, at the ratio.
    expect(leavesReadUntraced(request('GET', '00-xyz-01'), { ...inside, random: draw(0.5) })).toBe(true);
  });

  it('at the edge, a client\'s sampled flag does not get its reads traced', () => {
    expect(leavesReadUntraced(request('GET', sampled), { ratio: 0.1, edge: true, random: draw(0.5) })).toBe(true);
    expect(leavesReadUntraced(request('GET', unsampled), { ratio: 0.1, edge: true, random: draw(0.05) })).toBe(false);
  });
});

function parent(sampledFlag: boolean, isRemote: boolean): Context {
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: sampledFlag ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote });
}

const decide = (edge: boolean, context: Context) =>
  sagaFirstSampler({ edge }).shouldSample(context, '4bf92f3577b34da6a3ce929d0e0e4736', 'span', SpanKind.SERVER, {}, []).decision;

describe('sagaFirstSampler', () => {
  it('records a new trace, and follows its parent inside the platform', () => {
    expect(decide(false, ROOT_CONTEXT)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(false, parent(true, true))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(false, parent(false, true))).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(false, parent(false, false))).toBe(SamplingDecision.NOT_RECORD);
  });

  it('at the edge, a client cannot switch a trace off with an unsampled traceparent; its own children still follow it', () => {
    expect(decide(true, parent(false, true))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(true, parent(false, false))).toBe(SamplingDecision.NOT_RECORD);
  });
});

describe('readSampleRatioOf', () => {
  it('reads TRACING_READ_SAMPLE_RATIO, defaults to one in a hundred, and refuses anything but 0…1', () => {
    expect(readSampleRatioOf({})).toBe(0.01);
    expect(readSampleRatioOf({ TRACING_READ_SAMPLE_RATIO: '' })).toBe(0.01);
    expect(readSampleRatioOf({ TRACING_READ_SAMPLE_RATIO: '1' })).toBe(1);
    expect(readSampleRatioOf({ TRACING_READ_SAMPLE_RATIO: '0' })).toBe(0);
    for (const bad of ['-0.1', '1.5', 'all', 'NaN']) expect(() => readSampleRatioOf({ TRACING_READ_SAMPLE_RATIO: bad })).toThrow(/TRACING_READ_SAMPLE_RATIO/);
  });
});
