import { ERROR_CODES, type CommandError } from '../../../shared/errors';

/**
 * Resending after temporary refusals (SPEC REL-7): storage busy for a moment, a rate limit's
 * window. The request goes again with its very payload, so the server applies it once.
 */

/** How long a request is resent after its first temporary refusal before its error is shown. */
export const RETRY_WINDOW_MS = 60_000;
/** The first backoff; it doubles per refusal up to RETRY_MAX_MS. */
export const RETRY_MIN_MS = 500;
export const RETRY_MAX_MS = 10_000;

const TEMPORARY: ReadonlySet<string> = new Set([ERROR_CODES.UNAVAILABLE, ERROR_CODES.RATE_LIMITED]);

export function isTemporary(error: CommandError): boolean {
  return TEMPORARY.has(error.code);
}

/**
 * The wait before the next try: the server's `retryAfterMs` or an exponential backoff with
 * jitter (half to all of it), whichever is later, so that a room of phones refused together
 * does not come back together.
 */
export function retryDelayMs(refusalsBefore: number, error: CommandError, random: () => number): number {
  const backoff = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** refusalsBefore);
  const jittered = backoff * (0.5 + random() * 0.5);
  const hinted = typeof error.retryAfterMs === 'number' && error.retryAfterMs > 0 ? error.retryAfterMs : 0;
  return Math.max(jittered, hinted);
}

/** Time for retries; injected so that tests move a manual clock instead of waiting. */
export interface RetryClock {
  now(): number;
  setTimer(at: number, fn: () => void): RetryTimer;
}

export interface RetryTimer {
  cancel(): void;
}

export const systemRetryClock: RetryClock = {
  now: () => Date.now(),
  setTimer(at, fn) {
    const handle = setTimeout(fn, Math.max(0, at - Date.now()));
    return { cancel: () => clearTimeout(handle) };
  },
};
