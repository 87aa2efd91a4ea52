// Unit tests for the blocking-query index rules from Consul's docs.
import { nextIndex } from './consul-watch';

describe('nextIndex', () => {
  it('follows a growing index', () => expect(nextIndex(5, 9)).toBe(9));
  it('keeps an unchanged index (the query simply timed out)', () => expect(nextIndex(9, 9)).toBe(9));
  it('resets to 0 when the index goes backwards', () => expect(nextIndex(9, 3)).toBe(0));
  it('never blocks on 0, a negative or a missing index', () => {
    expect(nextIndex(0, 0)).toBe(0);
    expect(nextIndex(4, -1)).toBe(0);
    expect(nextIndex(4, Number.NaN)).toBe(0);
  });
});
