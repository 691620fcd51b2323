/**
 * DISK-5: a leader's `remove` erases a note for good, wherever it is (board, screening queue,
 * hidden list): gone from every copy of the board and from the leaders' lists, off the disk within
 * DISK-3's 10 s, and its author learns "removed" through note:mine (by the note's secret).
 */
import { describe, expect, it } from 'vitest';
import type { LeaderNotesView } from '../../shared/board/commands';
import { readBoard } from '../../shared/board/schema';
import { goToPhase, noteSecret, type RecordingClient } from '../helpers/board-fixture';
import { canary, captureLog, scanFolder, startConfidentialServer, tempFolder } from '../helpers/confidential';
import { nextEvent } from '../helpers/server-fixture';
import { pollUntil } from '../helpers/poll';

const GONE_WITHIN_MS = 10_000;

describe("a leader's remove (DISK-5)", () => {
  it('DISK-5: removed from the board, the queue and the hidden list, off the disk, and the author told "removed"', async () => {
    const dataDir = tempFolder();
    const fx = await startConfidentialServer({ dataDir, logger: captureLog().logger });
    const m = await fx.api.createMeeting({
      title: 'Remove',
      leaderName: 'Lea Leader',
      templateId: 'classic-90-two-cases',
    });
    const leader = await fx.connect(m.leaderToken, 'leader');
    const members: RecordingClient[] = [];
    for (const name of ['Ann Member', 'Ben Member', 'Cai Member'])
      members.push(await fx.connect((await fx.api.join(m.joinCode, name)).token, name));
    const [ma, mb, mc] = members as [RecordingClient, RecordingClient, RecordingClient];
    const texts: string[] = [];
    const add = async (who: RecordingClient) => {
      const text = canary('identifier');
      texts.push(text);
      const secret = noteSecret();
      const ack = await who.send<{ noteId: string }>('note:add', { secret, kind: 'feeling', text });
      if (!ack.ok) throw new Error(ack.error.code);
      return { noteId: ack.value.noteId, secret, who };
    };

    await goToPhase(leader, 'speculation', 0);
    const watch = fx.openBoard(ma.token, m.meetingId, 0, 'member board');
    await watch.synced();
    const onBoard = await add(ma);
    const toHide = await add(mb);
    await add(mc);
    await leader.send('board:release', {});
    await watch.until((d) => readBoard(d).notes.length === 3, 'the batch');
    expect(await ma.send('note:moderate', { noteId: onBoard.noteId, action: 'remove' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await leader.send('note:moderate', { noteId: toHide.noteId, action: 'hide' })).toEqual({
      ok: true,
    });
    expect(await leader.send('note:moderate', { noteId: onBoard.noteId, action: 'remove' })).toEqual({
      ok: true,
    });
    expect(await leader.send('note:moderate', { noteId: toHide.noteId, action: 'remove' })).toEqual({
      ok: true,
    });
    await watch.until((d) => readBoard(d).notes.length === 1, 'both gone from the board');

    await must(leader.run({ type: 'settings:update', release: 'screening' }));
    await goToPhase(leader, 'speculation', 1);
    // Three notes leave their batch together into the screening queue.
    const queued = await add(mc);
    await add(ma);
    await add(mb);
    // Three wait: a leader's release sends them now (REL-4), not after the random delay.
    await leader.send('board:release', {});
    const view = nextEvent<[LeaderNotesView]>(leader.socket, 'board:leader');
    expect(await leader.send('note:moderate', { noteId: queued.noteId, action: 'remove' })).toEqual({
      ok: true,
    });
    const [after] = await view;
    expect(after.screening.concat(after.hidden).map((n) => n.noteId)).not.toContain(queued.noteId);
    expect(await leader.send('note:moderate', { noteId: queued.noteId, action: 'show' })).toMatchObject({
      ok: false,
      error: { code: 'no-such-note' },
    });

    for (const n of [onBoard, toHide, queued]) {
      const mine = await n.who.send<Record<string, string>>('note:mine', {
        notes: [{ noteId: n.noteId, secret: n.secret }],
      });
      expect(mine).toEqual({ ok: true, value: { [n.noteId]: 'removed' } });
      expect(
        await n.who.send('note:edit', { noteId: n.noteId, secret: n.secret, text: 'again' }),
      ).toMatchObject({
        ok: false,
        error: { code: 'no-such-note' },
      });
    }
    const removed = [texts[0], texts[1], texts[3]] as string[];
    await pollUntil(
      () => scanFolder(dataDir, removed).length === 0,
      GONE_WITHIN_MS,
      'removed notes off the disk',
    );
  }, 60_000);
});

async function must(p: Promise<{ ok: boolean }>) {
  expect((await p).ok).toBe(true);
}
