// Unit tests for the round-robin picker.
import { RoundRobin } from './round-robin';

describe('RoundRobin', () => {
  it('returns undefined when empty', () => {
    expect(new RoundRobin<string>().next()).toBeUndefined();
  });

  it('cycles through the items in order', () => {
    const rr = new RoundRobin(['a', 'b', 'c']);
    expect([1, 2, 3, 4, 5, 6, 7].map(() => rr.next())).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a']);
  });

  it('spreads picks evenly', () => {
    const rr = new RoundRobin(['a', 'b', 'c']);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 300; i += 1) {
      const item = rr.next() as string;
      counts[item] = (counts[item] ?? 0) + 1;
    }
    expect(counts).toEqual({ a: 100, b: 100, c: 100 });
  });

  it('keeps working when the list shrinks or grows', () => {
    const rr = new RoundRobin(['a', 'b', 'c']);
    rr.next();
    rr.next();
    rr.update(['x']);
    expect([rr.next(), rr.next()]).toEqual(['x', 'x']);
    rr.update(['p', 'q']);
    expect(rr.size).toBe(2);
    expect(new Set([rr.next(), rr.next()])).toEqual(new Set(['p', 'q']));
    rr.update([]);
    expect(rr.next()).toBeUndefined();
  });
});
