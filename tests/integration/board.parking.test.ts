/**
 * BOARD-9: the parking lot is the leaders'. A parked note leaves the public document; the
 * presenter, a participant and the projector receive neither its text nor an edit of it, in any
 * board frame or Socket.IO payload, until a leader shows the case's parking lot to the room.
 * Parking and unparking are server commands, a leader's write of `parked` (or of the room's
 * parking root) is refused, and a parked note comes back where it was.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { LeaderNotesView } from '../../shared/board/commands';
import { BOARD_CLOSE } from '../../shared/board/closeCodes';
import { notesMap, parkingMap, readBoard, setNoteLayout, setTheme } from '../../shared/board/schema';
import { ERROR_CODES as E } from '../../shared/errors';
import {
  goToPhase,
  noteSecret,
  startBoardCast,
  startBoardServer,
  type BoardCast,
  type BoardClient,
  type BoardFixture,
  type RecordingClient,
} from '../helpers/board-fixture';
import { pollUntil } from '../helpers/poll';

const PARKED_TEXT = 'Qzparkedadvice: refer the patient to the Wexlerhof clinic';
const PARKED_EDIT = 'Qzparkededit: or try the Ruvenskaya method instead';
const WAIT_MS = 5_000;

function holds(frame: Uint8Array | string, needle: string): boolean {
  return typeof frame === 'string'
    ? frame.includes(needle)
    : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).includes(Buffer.from(needle));
}

/** The leader's latest `board:leader` view, kept as it arrives. */
function leaderViews(leader: RecordingClient) {
  const views: LeaderNotesView[] = [];
  leader.socket.on('board:leader', (v) => views.push(v));
  return {
    latest: () => views.at(-1),
    until: (what: string, check: (v: LeaderNotesView) => boolean) =>
      pollUntil(
        () => {
          const v = views.at(-1);
          return !!v && check(v);
        },
        WAIT_MS,
        what,
      ),
  };
}

async function addThree(cast: BoardCast, leaderBoard: BoardClient, texts: string[], onBoardAfter = 3) {
  const notes: { noteId: string; secret: string; author: RecordingClient }[] = [];
  for (const [i, text] of texts.entries()) {
    const author = cast.members[i] as RecordingClient;
    const secret = noteSecret();
    const ack = await author.send<{ noteId: string }>('note:add', { secret, kind: 'association', text });
    if (!ack.ok) throw new Error(ack.error.code);
    notes.push({ noteId: ack.value.noteId, secret, author });
  }
  expect((await cast.leader.send('board:release', {})).ok).toBe(true);
  await leaderBoard.until((d) => readBoard(d).notes.length === onBoardAfter, 'the batch');
  return notes;
}

async function parkingCast(fx: BoardFixture) {
  const cast = await startBoardCast(fx);
  await goToPhase(cast.leader, 'speculation');
  const leaderBoard = fx.openBoard(cast.leader.token, cast.meetingId, 0, 'leader board');
  await leaderBoard.synced();
  const [kept, parked, third] = await addThree(cast, leaderBoard, [
    'a knot in the stomach',
    PARKED_TEXT,
    'the patient as a lighthouse',
  ]);
  if (!kept || !parked || !third) throw new Error('three notes');
  return { cast, leaderBoard, kept, parked, third };
}

describe("the parking lot is the leaders' (BOARD-9)", () => {
  it('BOARD-9: a parked note and its edit reach no frame or payload of the presenter, a participant or the projector; unparked, it is back in place', async () => {
    const fx = await startBoardServer({ seed: 31 });
    const { cast, leaderBoard, parked } = await parkingCast(fx);
    const views = leaderViews(cast.leader);
    setTheme(leaderBoard.doc, 'theme-park-aaaa', 'Helplessness');
    setNoteLayout(leaderBoard.doc, parked.noteId, {
      theme: 'theme-park-aaaa',
      highlight: true,
      x: 40,
      y: 70,
    });
    await leaderBoard.until(
      (d) => readBoard(d).notes.some((n) => n.id === parked.noteId && n.x === 40),
      'the layout',
    );
    // The server has stored the layout once a read-only board sees it.
    const check = fx.openBoard(cast.members[3]?.token as string, cast.meetingId, 0, 'check');
    await check.until((d) => readBoard(d).notes.some((n) => n.x === 40), 'the layout, relayed');

    expect((await cast.leader.send('note:moderate', { noteId: parked.noteId, action: 'park' })).ok).toBe(
      true,
    );
    await views.until('the parked list', (v) => v.parked.some((n) => n.noteId === parked.noteId));
    expect(views.latest()?.parked).toEqual([
      { noteId: parked.noteId, kind: 'association', text: PARKED_TEXT, highlight: true },
    ]);
    await leaderBoard.until((d) => !notesMap(d).has(parked.noteId), 'off the leader board too');

    // Those who must not see it open their boards now, and record from here on.
    const watchers = [cast.presenter, cast.members[0] as RecordingClient, cast.projector];
    const packetsBefore = new Map(watchers.map((c) => [c, c.packets.length]));
    const boards = watchers.map((c) => fx.openBoard(c.token, cast.meetingId, 0, `${c.label} board`));
    await Promise.all(boards.map((b) => b.synced()));
    for (const b of boards) {
      expect(readBoard(b.doc).notes.map((n) => n.id)).not.toContain(parked.noteId);
      expect(readBoard(b.doc).parked).toEqual([]);
    }
    // The author edits the parked note: the edit waits for a batch like any other (REL-1).
    const edit = await parked.author.send('note:edit', {
      noteId: parked.noteId,
      secret: parked.secret,
      text: PARKED_EDIT,
    });
    expect(edit.ok).toBe(true);
    // A batch of three more carries the edit out (to the leaders' lot only).
    await addThree(cast, leaderBoard, ['another thought', 'a second one', 'a third one'], 5);
    await views.until('the edit in the lot', (v) => v.parked.some((n) => n.text === PARKED_EDIT));
    const mine = await parked.author.send<Record<string, string>>('note:mine', {
      notes: [{ noteId: parked.noteId, secret: parked.secret }],
    });
    expect(mine).toEqual({ ok: true, value: { [parked.noteId]: 'parked' } });

    // Unparked: back in its theme, highlighted, at its place.
    expect((await cast.leader.send('note:moderate', { noteId: parked.noteId, action: 'unpark' })).ok).toBe(
      true,
    );
    const back = boards[0] as BoardClient;
    await back.until((d) => notesMap(d).has(parked.noteId), 'back on the board');
    expect(readBoard(back.doc).notes.find((n) => n.id === parked.noteId)).toMatchObject({
      text: PARKED_EDIT,
      theme: 'theme-park-aaaa',
      highlight: true,
      x: 40,
      y: 70,
    });
    await views.until('the lot empty', (v) => v.parked.length === 0);

    // Until the unpark, nothing of the parked note reached them.
    const serverState = Y.encodeStateVectorFromUpdate(await fx.board.encodeBoard(cast.meetingId, 0));
    const same = (d: Y.Doc) => Buffer.from(Y.encodeStateVector(d)).equals(Buffer.from(serverState));
    await Promise.all(boards.map((b) => b.until(same, 'the server state')));
    await Promise.all(watchers.map((c) => c.barrier()));
    for (const [i, c] of watchers.entries()) {
      const b = boards[i] as BoardClient;
      const unparkAt = b.frames.findIndex((f) => holds(f, PARKED_EDIT));
      expect(unparkAt, `${c.label}: the unpark arrives`).toBeGreaterThan(0);
      for (const frame of b.frames.slice(0, unparkAt)) {
        expect(holds(frame, 'Qzparked'), `${c.label} board frame`).toBe(false);
      }
      for (const packet of c.packets.slice(packetsBefore.get(c))) {
        expect(holds(packet, 'Qzparked'), `${c.label}: ${packet.slice(0, 60)}`).toBe(false);
      }
    }
  });

  it("BOARD-9: shown to the room, the lot is in everyone's board; taken back, it leaves it; the export keeps it unless it is the leaders' alone", async () => {
    const fx = await startBoardServer({ seed: 32 });
    const { cast, parked } = await parkingCast(fx);
    expect((await cast.leader.send('note:moderate', { noteId: parked.noteId, action: 'park' })).ok).toBe(
      true,
    );
    const presenterBoard = fx.openBoard(cast.presenter.token, cast.meetingId, 0, 'presenter board');
    await presenterBoard.synced();
    expect(readBoard(presenterBoard.doc).parked).toEqual([]);
    const exportOf = async () => {
      const exp = await cast.leader.send<{ cases: { parked: { text: string }[] }[] }>('board:export', {});
      if (!exp.ok) throw new Error(exp.error.code);
      return exp.value.cases[0]?.parked.map((n) => n.text);
    };
    expect(await exportOf()).toEqual([]);

    expect(await cast.leader.run({ type: 'case:setParkingLot', caseIndex: 0, parkingLot: 'room' })).toEqual({
      ok: true,
    });
    await presenterBoard.until((d) => readBoard(d).parked.length === 1, 'the lot shown');
    expect(readBoard(presenterBoard.doc).parked).toEqual([
      { id: parked.noteId, text: PARKED_TEXT, kind: 'association', batch: 0 },
    ]);
    await cast.presenter.waitFor((v) => v.cases[0]?.parkingLot === 'room');
    expect(await exportOf()).toEqual([PARKED_TEXT]);

    expect(await cast.leader.run({ type: 'case:setParkingLot', caseIndex: 0, parkingLot: 'export' })).toEqual(
      {
        ok: true,
      },
    );
    await presenterBoard.until((d) => parkingMap(d).size === 0, 'the lot taken back');
    expect(await exportOf()).toEqual([PARKED_TEXT]);
  });

  it('BOARD-9: park and unpark are for leaders, on notes in the right state; a leader cannot write `parked` or the parking root', async () => {
    const fx = await startBoardServer({ seed: 33 });
    const { cast, leaderBoard, kept, parked, third } = await parkingCast(fx);
    for (const who of [cast.presenter, cast.members[0], cast.observer, cast.projector] as RecordingClient[]) {
      for (const action of ['park', 'unpark']) {
        const r = await who.send('note:moderate', { noteId: kept.noteId, action });
        expect(r, `${who.label} ${action}`).toEqual({
          ok: false,
          error: expect.objectContaining({ code: E.FORBIDDEN }),
        });
      }
      expect(
        await who.run({ type: 'case:setParkingLot', caseIndex: 0, parkingLot: 'room' }),
        who.label,
      ).toEqual({ ok: false, error: expect.objectContaining({ code: E.FORBIDDEN }) });
    }
    const code = async (noteId: string, action: string) => {
      const r = await cast.leader.send('note:moderate', { noteId, action });
      return r.ok ? 'ok' : r.error.code;
    };
    expect(await code(kept.noteId, 'unpark')).toBe(E.WRONG_STATUS);
    expect(await code(parked.noteId, 'park')).toBe('ok');
    expect(await code(parked.noteId, 'park')).toBe(E.WRONG_STATUS);
    expect(await code(third.noteId, 'hide')).toBe('ok');
    expect(await code(third.noteId, 'park')).toBe(E.WRONG_STATUS);
    expect(await code('no-such-note-000', 'park')).toBe(E.NO_SUCH_NOTE);
    expect(await code(kept.noteId, 'parkk')).toBe(E.BAD_REQUEST);
    expect(await cast.leader.run({ type: 'case:setParkingLot', caseIndex: 3, parkingLot: 'room' })).toEqual({
      ok: false,
      error: expect.objectContaining({ code: E.BAD_REQUEST }),
    });

    // The old way, a layout field on the public note: refused and the connection closed.
    notesMap(leaderBoard.doc).get(kept.noteId)?.set('parked', true);
    expect((await leaderBoard.closed()).code).toBe(BOARD_CLOSE.FORBIDDEN);
    expect(readBoard(await decoded(fx, cast.meetingId)).notes.map((n) => n.id)).toEqual([kept.noteId]);

    // Nor may a leader fill the room's parking lot by hand.
    const second = fx.openBoard(cast.leader.token, cast.meetingId, 0, 'leader board 2');
    await second.synced();
    second.doc.transact(() => {
      const m = new Y.Map<unknown>();
      for (const [k, v] of Object.entries({ text: 'smuggled', kind: 'feeling', batch: 0 })) m.set(k, v);
      parkingMap(second.doc).set('smuggled-note-1', m);
    });
    const closed = await second.closed();
    expect(closed.code).toBe(BOARD_CLOSE.FORBIDDEN);
    expect(closed.reason).toContain('parking lot');
    expect(parkingMap(await decoded(fx, cast.meetingId)).size).toBe(0);
  });
});

async function decoded(fx: BoardFixture, meetingId: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, await fx.board.encodeBoard(meetingId, 0));
  return doc;
}
