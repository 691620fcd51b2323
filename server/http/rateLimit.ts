import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

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

/**
 * Builds the store of one budget. `name` tells the budgets apart where they share one store
 * (Redis): it becomes the prefix of the budget's keys, so it must differ between budgets.
 */
export type StoreFactory = (budget: WindowBudget, name: string) => RateLimitStore;

export const memoryStores =
  (now: () => number): StoreFactory =>
  (budget) =>
    memoryRateLimit(budget, now);

/** Where the shared counters live: one Redis client, and a key prefix for this deployment. */
export interface RedisLimitOptions {
  client: Redis;
  /** Prefix of every key (`balint:rl:` by default). */
  prefix?: string;
}

/**
 * The same fixed-window budget with its counters in Redis (rate-limiter-flexible's
 * RateLimiterRedis, one atomic INCRBY with expiry per request), so that every process of a
 * deployment spends one budget (SPEC.md SCALE-9). The window is picked by the injected clock as
 * in the memory store; processes agree on it as far as their clocks agree.
 *
 * While Redis does not answer (not connected, or no reply within the client's command time-out),
 * each request is counted by the library's insurance limiter instead: a memory store of the same
 * budget in this process (SCALE-10). Limits then hold per process, and no request waits for Redis
 * to come back; once it is back the shared counters take over again (what was counted meanwhile
 * stays in the process, so a client's budget in that window is at most its share plus the
 * shared one).
 *
 * A block is written into the counter of each window it covers (the library's `block`: the
 * budget plus one, expiring when the block does), so that a seat blocked by one process is
 * refused by every process, with no extra round trip on the requests that are not blocked.
 */
export function redisRateLimit(
  budget: WindowBudget,
  name: string,
  now: () => number,
  redis: RedisLimitOptions,
): RateLimitStore {
  const windowSec = Math.max(1, Math.ceil(budget.windowMs / 1_000));
  const keyPrefix = `${redis.prefix ?? 'balint:rl:'}${name}`;
  const insurance = new RateLimiterMemory({ points: budget.points, duration: windowSec, keyPrefix });
  const limiter = new RateLimiterRedis({
    storeClient: redis.client,
    points: budget.points,
    duration: windowSec,
    keyPrefix,
    // An absent Redis is not waited for: the insurance store answers at once.
    rejectIfRedisNotReady: true,
    insuranceLimiter: insurance,
  });
  const windowOfTime = (t: number) => Math.floor(t / budget.windowMs);
  const windowKey = (key: string, w: number) => `${key}@${w}`;

  return {
    async consume(key, cost = 1) {
      const t = now();
      const verdict = await refusal(limiter, windowKey(key, windowOfTime(t)), cost);
      if (!verdict) return { ok: true, retryAfterMs: 0 };
      // A blocked counter expires with its block, an ordinary one with its window.
      const windowLeft = budget.windowMs - (t % budget.windowMs);
      return { ok: false, retryAfterMs: Math.max(1, Math.min(windowLeft, verdict.retryAfterMs)) };
    },
    async block(key, ms) {
      const t = now();
      const until = t + Math.max(1, ms);
      const blocks: Promise<unknown>[] = [];
      for (let w = windowOfTime(t); w <= windowOfTime(until - 1); w += 1) {
        blocks.push(limiter.block(windowKey(key, w), Math.max(1, Math.ceil((until - t) / 1_000))));
      }
      await Promise.all(blocks);
    },
  };
}

/** Null when the store took the points; a refusal with the store's own wait otherwise. */
async function refusal(limiter: RateLimiterAbstract, key: string, cost: number): Promise<RateVerdict | null> {
  try {
    await limiter.consume(key, cost);
    return null;
  } catch (error) {
    if (error instanceof RateLimiterRes) return { ok: false, retryAfterMs: Math.max(1, error.msBeforeNext) };
    throw error;
  }
}
