// One npm start per data directory: a live holder refuses a second start; a dead one's lock is taken over.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimDataDir, defaultDataDir, lockFileName } from './data-dir-lock';

let dir: string;
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'data-dir-lock-')), 'embedded');
});
afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

test('the first start claims the folder and releases it when it stops', () => {
  const release = claimDataDir(dir, 101, () => true);
  expect(readFileSync(join(dir, lockFileName), 'utf8').trim()).toBe('101');
  release();
  expect(existsSync(join(dir, lockFileName))).toBe(false);
});

test('a second start on a folder a live process holds is refused, naming that process and the ways out', () => {
  claimDataDir(dir, 101, () => true);
  expect(() => claimDataDir(dir, 202, (pid) => pid === 101)).toThrow(/another npm start \(pid 101\) is using the databases in .*SAGA_DATA_DIR.*PORT/);
  expect(readFileSync(join(dir, lockFileName), 'utf8').trim()).toBe('101');
});

test("a lock left by a process that is gone is taken over, and a release does not remove another process's lock", () => {
  claimDataDir(dir, 101, () => true); // 101 was SIGKILLed: its lock stayed
  const release = claimDataDir(dir, 202, () => false);
  expect(readFileSync(join(dir, lockFileName), 'utf8').trim()).toBe('202');
  writeFileSync(join(dir, lockFileName), '303\n');
  release();
  expect(readFileSync(join(dir, lockFileName), 'utf8').trim()).toBe('303');
});

test('each gateway port has its own folder by default; the usual port keeps the folder it always had', () => {
  expect(defaultDataDir(8080)).toBe('.local/embedded');
  expect(defaultDataDir(9000)).toBe('.local/embedded-9000');
});
