// Timeouts: bound any async call and cancel the work behind it through an AbortSignal.

/** Thrown when an operation runs longer than allowed; `what` names the operation for logs. */
export class TimeoutError extends Error {
  override readonly name: string = 'TimeoutError';

  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    message = `${what} timed out after ${timeoutMs} ms`,
  ) {
    super(message);
  }
}

/**
 * Runs `work` with a deadline. The factory receives a signal that is aborted (with the
 * TimeoutError as reason) when the deadline passes, so fetch, pg and friends can stop the
 * underlying work instead of leaving it running in the background.
 */
export function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, ms: number, what: string): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const error = new TimeoutError(what, ms);
      reject(error);
      controller.abort(error);
    }, ms);
    const settle = <V>(fn: (value: V) => void) => (value: V) => {
      clearTimeout(timer);
      fn(value);
    };
    // Wrapping the call turns a synchronous throw in the factory into a rejection; the
    // handlers stay attached after a timeout, so a late rejection is never "unhandled".
    Promise.resolve()
      .then(() => work(controller.signal))
      .then(settle(resolve), settle(reject));
  });
}
