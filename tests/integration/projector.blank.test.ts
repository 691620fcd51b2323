/**
 * SCREEN-12: a leader blanks the projector from the console. The blank is meeting state: stored,
 * in the projector's (and leaders') views only, and a reloaded projector comes back blank.
 */
import { describe, expect, it } from 'vitest';
import { ERROR_CODES as E } from '../../shared/errors';
import { startBoardCast, startBoardServer } from '../helpers/board-fixture';

describe('the console blanks the projector (SCREEN-12)', () => {
  it('SCREEN-12: a leader blanks and unblanks it; a reloaded projector is still blank; only leaders may', async () => {
    const fx = await startBoardServer({ seed: 41 });
    const cast = await startBoardCast(fx);
    expect(cast.projector.view.projectorBlank).toBe(false);
    expect(cast.leader.view.projectorBlank).toBe(false);
    // Nobody else learns of it: not the presenter, a member or the observer.
    for (const c of [cast.presenter, cast.members[0], cast.observer]) {
      expect(c?.view).not.toHaveProperty('projectorBlank');
    }

    for (const who of [cast.presenter, cast.members[0], cast.observer, cast.projector]) {
      const r = await who?.run({ type: 'settings:update', projectorBlank: true });
      expect(r, who?.label).toEqual({ ok: false, error: expect.objectContaining({ code: E.FORBIDDEN }) });
    }
    expect(await cast.leader.run({ type: 'settings:update', projectorBlank: true })).toEqual({ ok: true });
    await cast.projector.waitFor((v) => v.projectorBlank === true);

    // A reload: a fresh connection of the same projector seat.
    cast.projector.close();
    const reloaded = await fx.connect(cast.projector.token, 'projector reloaded');
    expect(reloaded.view.projectorBlank).toBe(true);
    // And the stored state says so (a restarted server loads it).
    expect(
      (await fx.storage.loadLiveMeetings()).find((m) => m.state.id === cast.meetingId)?.state.settings,
    ).toMatchObject({ projectorBlank: true });

    expect(await cast.leader.run({ type: 'settings:update', projectorBlank: false })).toEqual({ ok: true });
    await reloaded.waitFor((v) => v.projectorBlank === false);
  });
});
