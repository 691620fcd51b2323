/** Waits for a condition that something outside the test makes true, checking every few ms. */
const POLL_EVERY_MS = 20;

export async function pollUntil(check: () => boolean, timeoutMs: number, what: string): Promise<number> {
  return pollUntilAsync(() => Promise.resolve(check()), timeoutMs, what);
}

/** The same for a check that has to ask something outside (a connection, a request). */
export async function pollUntilAsync(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
  }
  return performance.now() - started;
}
