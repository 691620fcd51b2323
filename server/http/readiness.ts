/**
 * What `/healthz` answers (SPEC.md SCALE-11): whether this process can serve a new client now.
 * Each engine outside the process (Redis now; PostgreSQL once DATABASE_URL switches the storage)
 * is asked a cheap question with a short time-out on every request, so that a load balancer that
 * checks every second takes a process out within its check's fall count, and puts it back as
 * soon as the engine answers again. A draining process fails it before it closes anything.
 */

/** An engine's answer must come within this; a slower one counts as down. */
export const HEALTH_PING_TIMEOUT_MS = 500;

export type ComponentStatus = 'ok' | 'down';

/** Resolves true when the engine answered in time; never rejects (a rejection counts as down). */
export type ReadinessProbe = (timeoutMs: number) => Promise<boolean>;

export interface ReadinessReport {
  ok: boolean;
  draining: boolean;
  /** One status per engine, by name (`redis`, `database`): no address, no error text. */
  components: Record<string, ComponentStatus>;
}

export interface Readiness {
  report(): Promise<ReadinessReport>;
  /** From now on the process reports not ready (SIGTERM: HAProxy stops sending new clients). */
  drain(): void;
}

async function answered(probe: ReadinessProbe, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      probe(timeoutMs).catch(() => false),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function createReadiness(
  probes: Readonly<Record<string, ReadinessProbe>>,
  timeoutMs = HEALTH_PING_TIMEOUT_MS,
): Readiness {
  let draining = false;
  return {
    async report() {
      const names = Object.keys(probes);
      const results = await Promise.all(
        names.map((name) => answered(probes[name] as ReadinessProbe, timeoutMs)),
      );
      const components: Record<string, ComponentStatus> = {};
      names.forEach((name, i) => (components[name] = results[i] ? 'ok' : 'down'));
      return { ok: !draining && results.every(Boolean), draining, components };
    },
    drain() {
      draining = true;
    },
  };
}
