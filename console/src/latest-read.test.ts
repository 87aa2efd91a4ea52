// Only the newest of overlapping reads lands, whatever order the answers arrive in.
import { LatestRead } from './latest-read';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

test('an older read answering after a newer one does not overwrite it', async () => {
  const reads = new LatestRead();
  let shown = 'nothing';
  const read = async (answer: Promise<string>) => {
    const ticket = reads.start();
    const value = await answer;
    if (reads.isLatest(ticket)) shown = value;
  };
  const before = deferred<string>();
  const after = deferred<string>();
  const first = read(before.promise); // e.g. the rules as they were, asked when an order changed
  const second = read(after.promise); // the rules re-read after adding one
  after.resolve('with the new rule');
  await second;
  before.resolve('without it');
  await first;
  expect(shown).toBe('with the new rule');
});

test('a read alone always lands', async () => {
  const reads = new LatestRead();
  const ticket = reads.start();
  expect(reads.isLatest(ticket)).toBe(true);
});
