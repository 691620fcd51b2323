/**
 * Test-only crash points: a real child server kills itself with SIGKILL at a named point of the
 * end, so a test can show what a crash at that moment leaves on disk. Read only when
 * NODE_ENV=test; set anywhere else, the server refuses to start (a production server must never
 * be one environment variable away from killing itself mid-purge).
 */
export const CRASH_POINTS = ['purge-before-commit', 'purge-before-checkpoint'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

export const CRASH_ENV = 'BALINT_TEST_CRASH_AT';

export type CrashPointConfig = { ok: true; point: CrashPoint | null } | { ok: false; message: string };

export function crashPointFromEnv(env: NodeJS.ProcessEnv): CrashPointConfig {
  const raw = env[CRASH_ENV];
  if (raw === undefined || raw === '') return { ok: true, point: null };
  if (env.NODE_ENV !== 'test')
    return {
      ok: false,
      message: `${CRASH_ENV} is a test hook: unset it (it is only read when NODE_ENV=test)`,
    };
  const point = CRASH_POINTS.find((p) => p === raw);
  if (!point) return { ok: false, message: `${CRASH_ENV} must be one of ${CRASH_POINTS.join(', ')}` };
  return { ok: true, point };
}

/** Dies at once, as a power cut or the OOM killer would: no handler, no flush, no close. */
export function crashIfAt(configured: CrashPoint | null | undefined, here: CrashPoint): void {
  if (configured === here) process.kill(process.pid, 'SIGKILL');
}
