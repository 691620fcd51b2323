import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** What a budget says about one request: go ahead, or wait this long before trying again. */
export interface RateVerdict {
  ok: boolean;
  /** 0 when ok; otherwise how long until the budget has room again. */
  retryAfterMs: number;
}

/**
 * The one interface every rate limit goes through. It is asynchronous so that a shared store
 * (rate-limiter-flexible's Redis store, for several server processes) can replace the memory one
 * without touching a caller.
 */
export interface RateLimitStore {
  /** Spends `cost` points of `key`'s budget; a cost of 0 only asks. */
  consume(key: string, cost?: number): Promise<RateVerdict>;
  /** Refuses `key` for `ms` whatever its budget (a seat that kept flooding). */
  block(key: string, ms: number): Promise<void>;
}

export interface WindowBudget {
  /** Points per window. */
  points: number;
  windowMs: number;
}

/**
 * A fixed-window budget in rate-limiter-flexible's memory store. The window is picked by the
 * injected clock and is part of the key, so that tests with a manual clock decide when a window
 * ends; the store only counts, and forgets a window's counts after the window's length.
 */
export function memoryRateLimit(budget: WindowBudget, now: () => number): RateLimitStore {
  const windowSec = Math.max(1, Math.ceil(budget.windowMs / 1_000));
  const limiter = new RateLimiterMemory({ points: budget.points, duration: windowSec });
  // Blocks end by the injected clock too (a library block would run on the wall clock).
  const blockedUntil = new Map<string, number>();
  const windowKey = (key: string, t: number) => `${key}@${Math.floor(t / budget.windowMs)}`;

  return {
    async consume(key, cost = 1) {
      const t = now();
      const until = blockedUntil.get(key);
      if (until !== undefined && until > t) return { ok: false, retryAfterMs: until - t };
      if (until !== undefined) blockedUntil.delete(key);
      const verdict = await refusal(limiter, windowKey(key, t), cost);
      if (!verdict) return { ok: true, retryAfterMs: 0 };
      // The window ends by the injected clock, not by the store's own timer.
      return { ok: false, retryAfterMs: Math.max(1, budget.windowMs - (t % budget.windowMs)) };
    },
    async block(key, ms) {
      const t = now();
      for (const [k, until] of blockedUntil) if (until <= t) blockedUntil.delete(k);
      blockedUntil.set(key, t + Math.max(1, ms));
    },
  };
}

/** Null when the store took the points; a refusal with the store's own wait otherwise. */
async function refusal(limiter: RateLimiterMemory, key: string, cost: number): Promise<RateVerdict | null> {
  try {
    await limiter.consume(key, cost);
    return null;
  } catch (error) {
    if (error instanceof RateLimiterRes) return { ok: false, retryAfterMs: Math.max(1, error.msBeforeNext) };
    throw error;
  }
}
