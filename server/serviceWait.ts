/**
 * Waiting for a service the server needs at start (Redis now, PostgreSQL when DATABASE_URL
 * switches the storage): a service manager often starts the server before its database is up, so
 * an unreachable service is tried again for a while; if it is still unreachable after
 * SERVICE_WAIT_MS, the server refuses to start with one line (SPEC.md SCALE-8).
 */
import { StartupError } from './startupErrors';

/** How long a service may stay unreachable at start before the server gives up. */
export const SERVICE_WAIT_MS = 30_000;
/** Pause between two attempts (each attempt has its own time-out inside `connect`). */
export const SERVICE_RETRY_MS = 500;

/**
 * Test-only: a shorter wait, so that a test of the refusal does not take 30 s. Read only when
 * NODE_ENV=test; set anywhere else the server refuses to start, as for the limit scale
 * (server/limits/testScale.ts): a production server must not give up on its database early.
 */
export const SERVICE_WAIT_ENV = 'BALINT_TEST_SERVICE_WAIT_MS';

export type ServiceWaitConfig = { ok: true; ms: number } | { ok: false; message: string };

export function serviceWaitFromEnv(env: NodeJS.ProcessEnv): ServiceWaitConfig {
  const raw = env[SERVICE_WAIT_ENV];
  if (raw === undefined || raw === '') return { ok: true, ms: SERVICE_WAIT_MS };
  if (env.NODE_ENV !== 'test')
    return {
      ok: false,
      message: `${SERVICE_WAIT_ENV} is a test hook: unset it (it is only read when NODE_ENV=test)`,
    };
  const ms = /^[1-9][0-9]{0,5}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(ms >= 1 && ms <= SERVICE_WAIT_MS))
    return {
      ok: false,
      message: `${SERVICE_WAIT_ENV} must be a whole number of ms from 1 to ${SERVICE_WAIT_MS}`,
    };
  return { ok: true, ms };
}

/** Why the last attempt failed, as a short code (never the error's text, which may hold a URL). */
function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  return error instanceof Error && /^[A-Za-z]{1,40}$/.test(error.name) ? error.name : 'no answer';
}

export interface WaitOptions {
  retryMs?: number;
  /** What the admin should check, after the name; by default "start it or correct its URL". */
  hint?: string;
}

/**
 * Calls `connect` until it resolves, and resolves with its value; after `timeoutMs` of failures
 * throws a StartupError naming the service (`name`, e.g. "Redis at 127.0.0.1:6379 (REDIS_URL)":
 * an address without credentials) and the last failure's code. `connect` should bound each of
 * its own attempts (a connect time-out shorter than `timeoutMs`); an attempt still pending when
 * the time is up counts as failed, and its late result is closed by `discard` if given.
 */
export async function waitForService<T>(
  name: string,
  connect: () => Promise<T>,
  timeoutMs: number,
  opts: WaitOptions & { discard?: (value: T) => void } = {},
): Promise<T> {
  const started = performance.now();
  const retryMs = opts.retryMs ?? SERVICE_RETRY_MS;
  let reason = 'no answer';
  for (;;) {
    const left = timeoutMs - (performance.now() - started);
    if (left <= 0) break;
    const attempt = connect();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      attempt.then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), left);
      }),
    ]);
    clearTimeout(timer);
    if (outcome === null) {
      // The time ran out during this attempt: whatever it brings later is not used.
      attempt.then(
        (value) => opts.discard?.(value),
        () => {},
      );
      break;
    }
    if (outcome.ok) return outcome.value;
    reason = reasonOf(outcome.error);
    const pause = Math.min(retryMs, timeoutMs - (performance.now() - started));
    if (pause <= 0) break;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  const seconds = Math.round(timeoutMs / 100) / 10;
  throw new StartupError(
    `${name} is not reachable after ${seconds} s (${reason}): ${opts.hint ?? 'start it, or correct its URL'}`,
  );
}
