/**
 * DISK-3: deleted text leaves every file of the data folder within 10 s while the meeting runs:
 * a waiting note its author deleted, the old text of edits (waiting, released, in the screening
 * queue), a released note its author deleted, a renamed and a removed theme, a removed seat's
 * name and a rotated-away join code. Raw bytes of every file are searched (confidential.ts).
 */
import { describe, expect, it } from 'vitest';
import { readBoard, removeTheme, setTheme } from '../../shared/board/schema';
import type { Result } from '../../shared/errors';
import { goToPhase, noteSecret, type RecordingClient } from '../helpers/board-fixture';
import {
  canary,
  captureLog,
  foundInFolder,
  scanFolder,
  startConfidentialServer,
  tempFolder,
} from '../helpers/confidential';
import { pollUntil } from '../helpers/poll';

/** DISK-3's bound: from the last deletion to a clean data folder. */
const GONE_WITHIN_MS = 10_000;

async function must<T>(what: string, pending: Promise<Result<T>>): Promise<T> {
  const r = await pending;
  if (!r.ok) throw new Error(`${what} refused: ${r.error.code}`);
  return r.value;
}

describe('deleted text leaves the disk while the meeting runs (DISK-3)', () => {
  it('DISK-3: deleted notes, old texts, old theme names, a removed name and an old join code are in no file within 10 s', async () => {
    const dataDir = tempFolder();
    const fx = await startConfidentialServer({ dataDir, logger: captureLog().logger });
    const gone: string[] = [];
    const kept: string[] = [];
    const doomed = (label: string) => {
      const c = canary(label);
      gone.push(c);
      return c;
    };
    const keep = (label: string) => {
      const c = canary(label);
      kept.push(c);
      return c;
    };
    const m = await fx.api.createMeeting({
      title: keep('title'),
      leaderName: keep('leader'),
      templateId: 'classic-90-two-cases',
    });
    const leader = await fx.connect(m.leaderToken, 'leader');
    const members: RecordingClient[] = [];
    for (const label of ['ma', 'mb', 'mc'])
      members.push(await fx.connect((await fx.api.join(m.joinCode, keep(label))).token, label));
    const [ma, mb, mc] = members as [RecordingClient, RecordingClient, RecordingClient];
    const leaving = await fx.connect((await fx.api.join(m.joinCode, doomed('removedname'))).token, 'leaving');
    gone.push(m.joinCode);
    const add = async (who: RecordingClient, text: string) => {
      const secret = noteSecret();
      const { noteId } = await must(
        'add',
        who.send<{ noteId: string }>('note:add', { secret, kind: 'feeling', text }),
      );
      return { noteId, secret, who };
    };
    const edit = (n: { noteId: string; secret: string; who: RecordingClient }, text: string) =>
      must('edit', n.who.send('note:edit', { noteId: n.noteId, secret: n.secret, text }));
    const del = (n: { noteId: string; secret: string; who: RecordingClient }) =>
      must('delete', n.who.send('note:delete', { noteId: n.noteId, secret: n.secret }));

    await goToPhase(leader, 'speculation', 0);
    const board = fx.openBoard(m.leaderToken, m.meetingId, 0, 'leader board');
    await board.synced();
    // Waiting notes: one deleted, one edited in place (nobody saw them).
    await del(await add(ma, doomed('waitingdeleted')));
    const w = await add(mb, doomed('waitingold'));
    await edit(w, keep('waitingnew'));
    // Released notes: one edited and one deleted by their authors, applied at the phase end.
    const r1 = await add(ma, doomed('releasedold'));
    const r2 = await add(mb, doomed('releaseddeleted'));
    await add(mc, keep('releasedkept'));
    // Three or more wait: a leader's release sends them now (REL-4), not after the random delay.
    await leader.send('board:release', {});
    await board.until((d) => readBoard(d).notes.length >= 3, 'the batch');
    await edit(r1, keep('releasednew'));
    await del(r2);
    // Themes: one renamed, one removed, by the leader's board.
    setTheme(board.doc, 'theme-renamed-aaaa', doomed('themeold'));
    setTheme(board.doc, 'theme-removed-bbbb', doomed('themeremoved'));
    setTheme(board.doc, 'theme-renamed-aaaa', keep('themenew'));
    removeTheme(board.doc, 'theme-removed-bbbb');
    const watch = fx.openBoard(ma.token, m.meetingId, 0, 'member board');
    await watch.until(
      (d) => readBoard(d).themes.length === 1 && readBoard(d).themes[0]?.name === kept.at(-1),
      'themes',
    );
    // The screening queue: an edited note and a deleted one, applied at the phase end.
    await must('screening', leader.run({ type: 'settings:update', release: 'screening' }));
    await goToPhase(leader, 'speculation', 1);
    const s1 = await add(ma, doomed('screeningold'));
    const s2 = await add(mb, doomed('screeningdeleted'));
    await add(mc, keep('screeningkept'));
    await edit(s1, keep('screeningnew'));
    await del(s2);
    await goToPhase(leader, 'return', 1);
    // A removed seat and a rotated join code.
    await must('seat:remove', leader.run({ type: 'seat:remove', seatId: leaving.seatId }));
    await must('rotate', leader.run({ type: 'joinCode:rotate' }));
    const deletedAt = performance.now();

    const ms = await pollUntil(
      () => scanFolder(dataDir, gone).length === 0,
      GONE_WITHIN_MS,
      'deleted text off the disk',
    );
    expect(ms).toBeLessThan(GONE_WITHIN_MS);
    expect(performance.now() - deletedAt).toBeLessThan(GONE_WITHIN_MS);
    // The search can fail: what was kept is still there.
    const found = foundInFolder(dataDir, kept);
    expect(kept.filter((k) => !found.has(k))).toEqual([]);
  }, 60_000);
});
