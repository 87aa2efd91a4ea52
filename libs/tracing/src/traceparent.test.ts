// parseTraceparent accepts version 00 headers with non-zero ids only, and reads the sampled bit.
import { parseTraceparent } from './traceparent';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const parentId = '00f067aa0ba902b7';

test('reads the ids and the sampled bit of a valid header', () => {
  expect(parseTraceparent(`00-${traceId}-${parentId}-01`)).toEqual({ traceId, parentId, sampled: true });
  expect(parseTraceparent(` 00-${traceId}-${parentId}-00 `)).toEqual({ traceId, parentId, sampled: false });
  // Other flag bits do not make a trace sampled.
  expect(parseTraceparent(`00-${traceId}-${parentId}-02`)?.sampled).toBe(false);
});

test.each([
  ['absent', undefined],
  ['empty', ''],
  ['another version', `01-${traceId}-${parentId}-01`],
  ['upper case', `00-${traceId.toUpperCase()}-${parentId}-01`],
  ['a short trace id', `00-${traceId.slice(1)}-${parentId}-01`],
  ['an all-zero trace id', `00-${'0'.repeat(32)}-${parentId}-01`],
  ['an all-zero parent id', `00-${traceId}-${'0'.repeat(16)}-01`],
  ['trailing data', `00-${traceId}-${parentId}-01-extra`],
])('ignores %s', (_label, header) => {
  expect(parseTraceparent(header)).toBeUndefined();
});
