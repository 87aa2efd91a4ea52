// The W3C Trace Context `traceparent` header, version 00, read once for everyone who needs its parts.

export interface Traceparent {
  traceId: string;
  parentId: string;
  /** The low bit of the flags: the caller recorded its span. */
  sampled: boolean;
}

const pattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const allZeros = /^0+$/;

/** The parts of a valid header; undefined for anything else, all-zero ids included (the spec says to ignore those). */
export function parseTraceparent(header: string | undefined): Traceparent | undefined {
  const match = header === undefined ? null : pattern.exec(header.trim());
  if (!match) return undefined;
  const [, traceId, parentId, flags] = match as unknown as [string, string, string, string];
  if (allZeros.test(traceId) || allZeros.test(parentId)) return undefined;
  return { traceId, parentId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}
