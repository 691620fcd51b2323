import { describe, expect, it } from 'vitest';
import { readBoard } from '../../shared/board/schema';
import { goToPhase, noteSecret, startBoardCast, startBoardServer } from '../helpers/board-fixture';

describe('board smoke', () => {
  it('a batch of three notes reaches every board', async () => {
    const fx = await startBoardServer();
    const cast = await startBoardCast(fx);
    await goToPhase(cast.leader, 'speculation');
    const lead = fx.openBoard(cast.leader.token, cast.meetingId, 0, 'leader-board');
    const mem = fx.openBoard(cast.members[0]!.token, cast.meetingId, 0, 'member-board');
    await Promise.all([lead.synced(), mem.synced()]);
    for (let i = 0; i < 3; i++) {
      const ack = await cast.members[i]!.send<{ noteId: string; status: string }>('note:add', {
        secret: noteSecret(),
        kind: 'feeling',
        text: `note ${i}`,
      });
      expect(ack.ok).toBe(true);
    }
    await mem.until((d) => readBoard(d).notes.length === 3);
    await lead.until((d) => readBoard(d).notes.length === 3);
    expect(
      readBoard(mem.doc)
        .notes.map((n) => n.text)
        .sort(),
    ).toEqual(['note 0', 'note 1', 'note 2']);
  });
});
