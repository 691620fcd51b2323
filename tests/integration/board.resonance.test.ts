/**
 * BOARD-10: the presenter's "this resonated" marks are theirs. The presenter gets their own marks
 * and the leaders all marks through their Socket.IO views; a participant and the projector get
 * no resonance value in any board frame or payload until the presenter says yes on their own
 * device; then the board carries the marks, and only while they are shown. The export keeps them.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { LeaderNotesView, PresenterMarksView } from '../../shared/board/commands';
import { notesMap, readBoard } from '../../shared/board/schema';
import { ERROR_CODES as E } from '../../shared/errors';
import {
  goToPhase,
  noteSecret,
  startBoardCast,
  startBoardServer,
  type BoardClient,
  type RecordingClient,
} from '../helpers/board-fixture';
import { pollUntil } from '../helpers/poll';

const WAIT_MS = 5_000;

/** Every resonance value a document held at any moment, from its updates as they came. */
function resonanceSeen(board: BoardClient): number[] {
  const seen: number[] = [];
  const check = () => {
    for (const map of notesMap(board.doc).values()) {
      const r = map.get('resonance');
      if (typeof r === 'number' && r > 0) seen.push(r);
    }
  };
  board.doc.on('update', check);
  check();
  return seen;
}

function latest<T>(client: RecordingClient, event: string): T | undefined {
  const last = client.received.filter((e) => e.event === event).at(-1);
  return last ? (JSON.parse(last.json) as [T])[0] : undefined;
}

describe("the presenter's marks are theirs (BOARD-10)", () => {
  it('BOARD-10: marks reach the presenter and the leaders only, until the presenter shows them; withdrawn, they leave the board; the export keeps them', async () => {
    const fx = await startBoardServer({ seed: 51 });
    const cast = await startBoardCast(fx);
    const { leader, presenter, projector } = cast;
    const member = cast.members[0] as RecordingClient;
    await goToPhase(leader, 'speculation');
    const ids: string[] = [];
    for (const [i, m] of cast.members.slice(0, 3).entries()) {
      const ack = await m.send<{ noteId: string }>('note:add', {
        secret: noteSecret(),
        kind: 'feeling',
        text: `feeling ${i}`,
      });
      if (!ack.ok) throw new Error(ack.error.code);
      ids.push(ack.value.noteId);
    }
    expect((await leader.send('board:release', {})).ok).toBe(true);
    await goToPhase(leader, 'return');
    const watchers = [member, projector];
    const boards = watchers.map((c) => fx.openBoard(c.token, cast.meetingId, 0, `${c.label} board`));
    await Promise.all(boards.map((b) => b.until((d) => readBoard(d).notes.length === 3, 'the notes')));
    const seen = boards.map(resonanceSeen);
    const packetsFrom = watchers.map((c) => c.packets.length);

    const marked = ids[1] as string;
    await presenter.waitFor((v) => v.phases[v.currentIndex ?? 0]?.kind === 'return');
    expect((await presenter.send('note:resonate', { noteId: marked, on: true })).ok).toBe(true);
    await pollUntil(
      () => latest<PresenterMarksView>(presenter, 'board:presenter')?.marked.includes(marked) === true,
      WAIT_MS,
      "the presenter's own marks",
    );
    await pollUntil(
      () => latest<LeaderNotesView>(leader, 'board:leader')?.resonance.includes(marked) === true,
      WAIT_MS,
      "the leaders' view of the marks",
    );
    // The board the room reads has not changed: no mark, in no frame.
    await Promise.all(watchers.map((c) => c.barrier()));
    const server = new Y.Doc();
    Y.applyUpdate(server, await fx.board.encodeBoard(cast.meetingId, 0));
    expect(readBoard(server).notes.every((n) => n.resonance === 0)).toBe(true);
    expect(seen).toEqual([[], []]);
    for (const [i, c] of watchers.entries()) {
      for (const packet of c.packets.slice(packetsFrom[i])) {
        expect(packet.includes(marked), `${c.label}: ${packet.slice(0, 60)}`).toBe(false);
      }
    }

    // Only the presenter can say yes; a leader can not, nor anyone else.
    for (const who of [leader, member, projector, cast.observer]) {
      expect(await who.run({ type: 'case:showResonance', caseIndex: 0, on: true }), who.label).toEqual({
        ok: false,
        error: expect.objectContaining({ code: E.FORBIDDEN }),
      });
    }
    expect(await presenter.run({ type: 'case:showResonance', caseIndex: 0, on: true })).toEqual({ ok: true });
    await Promise.all(
      boards.map((b) => b.until((d) => readBoard(d).notes.some((n) => n.resonance === 1), 'the mark shown')),
    );
    expect(readBoard(boards[1]?.doc as Y.Doc).notes.find((n) => n.resonance === 1)?.id).toBe(marked);

    // A leader takes them off the screens again; the export still has them.
    expect(await leader.run({ type: 'case:showResonance', caseIndex: 0, on: false })).toEqual({ ok: true });
    await Promise.all(
      boards.map((b) =>
        b.until((d) => readBoard(d).notes.every((n) => n.resonance === 0), 'the mark withdrawn'),
      ),
    );
    const exp = await leader.send<{ cases: { unthemed: { text: string; resonance: number }[] }[] }>(
      'board:export',
      {},
    );
    if (!exp.ok) throw new Error(exp.error.code);
    expect(exp.value.cases[0]?.unthemed.filter((n) => n.resonance > 0).map((n) => n.text)).toEqual([
      'feeling 1',
    ]);
  });
});
