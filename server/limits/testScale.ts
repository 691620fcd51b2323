import type { Logger } from '../core/logger';
import { memoryRateLimit, type StoreFactory } from '../http/rateLimit';
import { Limits } from './seatLimits';

/**
 * Test-only: every rate budget multiplied (the benchmark's phase part sends 300 phase changes
 * from one leader in seconds, past the command budget by design; LIMIT-2). The limiter still runs
 * on every event, only its refusals stop. Read only when NODE_ENV=test; set anywhere else, the
 * server refuses to start (a production server must never be one variable away from no limits).
 */
export const LIMIT_SCALE_ENV = 'BALINT_TEST_LIMIT_SCALE';

export type LimitScaleConfig = { ok: true; scale: number } | { ok: false; message: string };

export function limitScaleFromEnv(env: NodeJS.ProcessEnv): LimitScaleConfig {
  const raw = env[LIMIT_SCALE_ENV];
  if (raw === undefined || raw === '') return { ok: true, scale: 1 };
  if (env.NODE_ENV !== 'test')
    return {
      ok: false,
      message: `${LIMIT_SCALE_ENV} is a test hook: unset it (it is only read when NODE_ENV=test)`,
    };
  const scale = /^[1-9][0-9]{0,6}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(scale >= 1 && scale <= 1_000_000))
    return { ok: false, message: `${LIMIT_SCALE_ENV} must be a whole number from 1 to 1000000` };
  return { ok: true, scale };
}

/** The same stores, with every budget `factor` times the real one. */
export function scaledStores(stores: StoreFactory, factor: number): StoreFactory {
  return factor === 1 ? stores : (b, name) => stores({ ...b, points: b.points * factor }, name);
}

/** Limits whose every budget is `factor` times the real one. */
export function scaledLimits(now: () => number, logger: Logger, factor: number): Limits {
  return new Limits({
    now,
    logger,
    store: (b) => memoryRateLimit({ ...b, points: b.points * factor }, now),
  });
}
