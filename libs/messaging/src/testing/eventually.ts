// Test helper: polls an assertion until it passes or a deadline expires (brokers are asynchronous; sleeps are flaky).
export async function eventually<T>(assertion: () => T | Promise<T>, timeoutMs = 15_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
