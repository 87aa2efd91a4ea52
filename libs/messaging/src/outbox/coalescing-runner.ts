// Runs an async task at most once at a time; calls that arrive while it runs share a single follow-up run.
const ignore = (): void => undefined;

/**
 * For the relay: a wake during a flush may come from a commit that flush's SELECT did not see,
 * so it needs one more flush afterwards, but never a second one in parallel, and a burst of
 * wakes needs only one.
 */
export class CoalescingRunner<T> {
  private current?: Promise<T>;
  private next?: Promise<T>;

  constructor(private readonly task: () => Promise<T>) {}

  /** Starts the task, or returns the follow-up run that will start when the current one settles. */
  run(): Promise<T> {
    // `next` first: between the current run settling and the follow-up starting, `current` is already cleared.
    if (this.next) return this.next;
    if (!this.current) return this.start();
    this.next = this.current.then(ignore, ignore).then(() => {
      this.next = undefined;
      return this.start();
    });
    return this.next;
  }

  /** Resolves once nothing is running or queued (errors are the callers' to handle). */
  async idle(): Promise<void> {
    while (this.current || this.next) await Promise.allSettled([this.current, this.next]);
  }

  private start(): Promise<T> {
    const running: Promise<T> = this.task().finally(() => {
      if (this.current === running) this.current = undefined;
    });
    this.current = running;
    return running;
  }
}
