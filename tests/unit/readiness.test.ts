import { describe, expect, it } from 'vitest';
import { createReadiness } from '../../server/http/readiness';

describe('readiness (SCALE-11)', () => {
  it('SCALE-11: ready only when every probe answers in time and the process is not draining', async () => {
    let redisUp = true;
    const readiness = createReadiness(
      {
        redis: () => Promise.resolve(redisUp),
        // A probe that never answers counts as down after the time-out, and one that throws too.
        database: () => new Promise<boolean>(() => {}),
      },
      50,
    );
    expect(await readiness.report()).toEqual({
      ok: false,
      draining: false,
      components: { redis: 'ok', database: 'down' },
    });
    const alone = createReadiness({ redis: () => Promise.resolve(redisUp) }, 50);
    expect(await alone.report()).toEqual({ ok: true, draining: false, components: { redis: 'ok' } });
    redisUp = false;
    expect(await alone.report()).toMatchObject({ ok: false, components: { redis: 'down' } });
    const failing = createReadiness({ redis: () => Promise.reject(new Error('ECONNREFUSED')) }, 50);
    expect(await failing.report()).toMatchObject({ ok: false, components: { redis: 'down' } });
    const none = createReadiness({});
    expect(await none.report()).toEqual({ ok: true, draining: false, components: {} });
    none.drain();
    expect(await none.report()).toEqual({ ok: false, draining: true, components: {} });
  });
});
