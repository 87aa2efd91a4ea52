// Round-robin picker over the current healthy list: pure state, no timers, no I/O.
export class RoundRobin<T> {
  private items: readonly T[];
  private cursor = 0;

  constructor(items: readonly T[] = []) {
    this.items = [...items];
  }

  /** Replaces the list (e.g. from a watch); the cursor carries on so a refresh does not always restart at the first item. */
  update(items: readonly T[]): void {
    this.items = [...items];
  }

  /** The next item, or undefined when there is none (the caller decides: 503, fallback, wait). */
  next(): T | undefined {
    if (this.items.length === 0) return undefined;
    const item = this.items[this.cursor % this.items.length];
    this.cursor = (this.cursor + 1) % this.items.length;
    return item;
  }

  /** Every item, in list order (e.g. to ask each instance, not just the next one). */
  all(): T[] {
    return [...this.items];
  }

  get size(): number {
    return this.items.length;
  }
}
