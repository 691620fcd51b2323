/**
 * The board's y-websocket endpoint with stock providers: authentication in the subprotocol list,
 * Origin, refusals with final 44xx codes, read-only enforcement, leaders' checked writes, malformed
 * frames of every type, visibility by phase, purge, and the keep-alive.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { BOARD_CLOSE } from '../../shared/board/closeCodes';
import { insertNote, notesMap, readBoard, setNoteLayout, setTheme } from '../../shared/board/schema';
import { BOARD_SUBPROTOCOL } from '../../shared/protocol';
import { KEEP_ALIVE_FRAME, syncStep1Frame } from '../../server/board/wire';
import { malformedFrames } from '../helpers/board-frames';
import {
  goToPhase,
  noteSecret,
  openRawBoard,
  startBoardCast,
  startBoardServer,
  type BoardCast,
  type BoardFixture,
  type RecordingClient,
} from '../helpers/board-fixture';

/** A meeting in its speculation phase with `count` notes released on the board. */
async function boardWithNotes(fx: BoardFixture, count = 3, body: Record<string, unknown> = {}) {
  const cast = await startBoardCast(fx, body);
  await goToPhase(cast.leader, 'speculation');
  const notes: { noteId: string; secret: string; author: RecordingClient }[] = [];
  for (let i = 0; i < count; i++) {
    const author = cast.members[i % cast.members.length] as RecordingClient;
    const secret = noteSecret();
    const ack = await author.send<{ noteId: string }>('note:add', {
      secret,
      kind: 'image',
      text: `picture ${i}`,
    });
    if (!ack.ok) throw new Error(ack.error.code);
    notes.push({ noteId: ack.value.noteId, secret, author });
  }
  await cast.leader.send('board:release', {});
  return { cast, notes };
}

const board = (fx: BoardFixture, c: RecordingClient, cast: BoardCast, caseIndex = 0) =>
  fx.openBoard(c.token, cast.meetingId, caseIndex, c.label);

describe('board connections: read-only for all but leaders (BOARD-1, BOARD-2)', () => {
  it("a participant's provider that writes is closed with 4403, and its write reaches no one", async () => {
    const fx = await startBoardServer();
    const { cast, notes } = await boardWithNotes(fx);
    const [a, b] = cast.members as [RecordingClient, RecordingClient];
    const writer = board(fx, a, cast);
    const reader = board(fx, b, cast);
    const lead = board(fx, cast.leader, cast);
    await Promise.all([writer.synced(), reader.synced(), lead.synced()]);
    const id = notes[0]?.noteId as string;

    // A direct write: rewrite a note and add one.
    writer.doc.transact(() => {
      notesMap(writer.doc).get(id)?.set('text', 'rewritten by a participant');
      insertNote(writer.doc, { id: 'note-forged-1', text: 'forged', kind: 'feeling', batch: 0 });
    });
    expect(await writer.closed()).toEqual({ code: BOARD_CLOSE.FORBIDDEN, reason: 'read-only board' });
    expect(writer.provider.shouldConnect).toBe(false);

    // Something later reaches the others, the forged write never does.
    setNoteLayout(lead.doc, id, { x: 7, y: 7 });
    await reader.until((d) => readBoard(d).notes.find((n) => n.id === id)?.x === 7, 'the leader move');
    for (const d of [reader.doc, lead.doc, await serverDoc(fx, cast)]) {
      const shown = readBoard(d);
      expect(shown.notes.map((n) => n.text)).not.toContain('rewritten by a participant');
      expect(shown.notes.map((n) => n.id)).not.toContain('note-forged-1');
    }
  });

  it('a read-only provider that reconnects after deletions and moves stays connected', async () => {
    const fx = await startBoardServer();
    const { cast, notes } = await boardWithNotes(fx, 6);
    const reader = board(fx, cast.observer, cast);
    const lead = board(fx, cast.leader, cast);
    await Promise.all([reader.synced(), lead.synced()]);
    await reader.until((d) => readBoard(d).notes.length === 6, 'six notes');

    // While it is away and when it is back: deletions (author and leader) and moves.
    reader.provider.disconnect();
    for (const n of notes.slice(0, 2)) {
      expect((await n.author.send('note:delete', { noteId: n.noteId, secret: n.secret })).ok).toBe(true);
    }
    // A third change, so that the leader's release may send the batch (REL-4).
    const last = notes[5] as (typeof notes)[number];
    expect(
      (await last.author.send('note:edit', { noteId: last.noteId, secret: last.secret, text: 'picture 5b' }))
        .ok,
    ).toBe(true);
    await cast.leader.send('board:release', {});
    await cast.leader.send('note:moderate', { noteId: notes[2]?.noteId, action: 'hide' });
    setNoteLayout(lead.doc, notes[3]?.noteId as string, { x: 1, y: 2, theme: null });
    reader.provider.connect();
    await reader.synced();
    await reader.until((d) => readBoard(d).notes.length === 3, 'three notes left');
    setNoteLayout(lead.doc, notes[4]?.noteId as string, { highlight: true });
    await reader.until((d) => readBoard(d).notes.some((n) => n.highlight), 'a later change');
    // And once more, with everything already known.
    reader.provider.disconnect();
    reader.provider.connect();
    await reader.synced();
    setNoteLayout(lead.doc, notes[5]?.noteId as string, { x: 99 });
    await reader.until((d) => readBoard(d).notes.some((n) => n.x === 99), 'the next change');
    expect(reader.closes).toEqual([]);
    expect(reader.provider.wsconnected).toBe(true);
  });

  it("leaders' layout writes are stored and relayed; a forbidden leader write closes only that connection", async () => {
    const fx = await startBoardServer();
    const { cast, notes } = await boardWithNotes(fx);
    const lead = board(fx, cast.leader, cast);
    const reader = board(fx, cast.projector, cast);
    await Promise.all([lead.synced(), reader.synced()]);
    const id = notes[0]?.noteId as string;
    setTheme(lead.doc, 'theme-conn-test', 'Envy');
    setNoteLayout(lead.doc, id, { theme: 'theme-conn-test', x: 10, y: 20 });
    await reader.until(
      (d) => readBoard(d).notes.find((n) => n.id === id)?.theme === 'theme-conn-test',
      'theme',
    );
    // Stored: the board as storage holds it has the move.
    const stored = new Y.Doc();
    Y.applyUpdate(stored, Y.mergeUpdates(await fx.storage.loadBoardUpdates(cast.meetingId, 0)));
    expect(readBoard(stored).notes.find((n) => n.id === id)).toMatchObject({ x: 10, y: 20 });

    notesMap(lead.doc).get(id)?.set('text', 'the leader rewrites a note');
    expect((await lead.closed()).code).toBe(BOARD_CLOSE.FORBIDDEN);
    expect(readBoard(await serverDoc(fx, cast)).notes.find((n) => n.id === id)?.text).toBe('picture 0');
    // The projector is still served.
    await cast.leader.send('note:moderate', { noteId: id, action: 'hide' });
    await reader.until((d) => readBoard(d).notes.length === 2, 'the hide');
    expect(reader.closes).toEqual([]);
  });

  it('an oversized leader update is refused with 4413 and not applied', async () => {
    const fx = await startBoardServer({
      board: { leaderLimits: { maxUpdateBytes: 2048, maxBoardBytes: 1 << 20 } },
    });
    const { cast } = await boardWithNotes(fx);
    const lead = board(fx, cast.leader, cast);
    await lead.synced();
    lead.doc.transact(() => {
      for (let i = 0; i < 40; i++)
        setTheme(lead.doc, `theme-big-${String(i).padStart(3, '0')}`, 'x'.repeat(80));
    });
    expect((await lead.closed()).code).toBe(BOARD_CLOSE.TOO_LARGE);
    expect(readBoard(await serverDoc(fx, cast)).themes).toEqual([]);
  });
});

describe('board connections: malformed frames and a server that keeps serving (BOARD-4)', () => {
  it('closes on a malformed frame of every type, from leaders and participants alike', async () => {
    const fx = await startBoardServer();
    const { cast } = await boardWithNotes(fx);
    const room = `${cast.meetingId}/0`;
    const frames = malformedFrames();
    for (const who of [cast.leader, cast.members[0] as RecordingClient]) {
      for (const [what, frame] of frames) {
        const raw = openRawBoard(fx, room, [BOARD_SUBPROTOCOL, who.token]);
        await raw.opened;
        raw.ws.send(frame);
        expect((await raw.closed).code, `${who.label}: ${what}`).toBe(BOARD_CLOSE.MALFORMED);
      }
      const text = openRawBoard(fx, room, [BOARD_SUBPROTOCOL, who.token]);
      await text.opened;
      text.ws.send('hello');
      expect((await text.closed).code).toBe(BOARD_CLOSE.MALFORMED);
    }
    // A frame over the payload limit is cut by ws itself (1009), and the server lives on.
    const big = openRawBoard(fx, room, [BOARD_SUBPROTOCOL, cast.leader.token]);
    await big.opened;
    big.ws.send(new Uint8Array(1024 * 1024 + 16));
    expect((await big.closed).code).toBe(1009);
    const after = board(fx, cast.observer, cast);
    await after.synced();
    expect(readBoard(after.doc).notes).toHaveLength(3);
    expect(readBoard(await serverDoc(fx, cast)).notes).toHaveLength(3);
  });

  it('answers with the subprotocol, never echoing the token', async () => {
    const fx = await startBoardServer();
    const { cast } = await boardWithNotes(fx, 0);
    const raw = openRawBoard(fx, `${cast.meetingId}/0`, [BOARD_SUBPROTOCOL, cast.leader.token]);
    await raw.opened;
    expect(raw.ws.protocol).toBe(BOARD_SUBPROTOCOL);
    raw.ws.send(syncStep1Frame(new Y.Doc()));
    await new Promise<void>((resolve) => raw.ws.once('message', () => resolve()));
    expect(raw.received.length).toBeGreaterThan(0);
  });
});

describe('board connections: refusals are final 44xx closes (BOARD-5)', () => {
  it('token, origin, meeting, case and admission', async () => {
    const fx = await startBoardServer();
    const cast = await startBoardCast(fx, { templateId: 'classic-90-one-case' });
    const other = await startBoardCast(fx);
    const m = cast.meetingId;
    const refusals: [string, ReturnType<BoardFixture['openBoard']>, number][] = [
      ['no subprotocol at all', fx.openBoard(null, m, 0, 'none'), BOARD_CLOSE.BAD_TOKEN],
      [
        'subprotocol without token',
        fx.openBoard(null, m, 0, 'sub', { protocols: [BOARD_SUBPROTOCOL] }),
        BOARD_CLOSE.BAD_TOKEN,
      ],
      ['unknown token', fx.openBoard('x'.repeat(32), m, 0, 'unknown'), BOARD_CLOSE.BAD_TOKEN],
      ["another meeting's token", fx.openBoard(other.leader.token, m, 0, 'other'), BOARD_CLOSE.FORBIDDEN],
      [
        'foreign origin',
        fx.openBoard(cast.leader.token, m, 0, 'origin', { origin: 'http://evil.example' }),
        BOARD_CLOSE.FORBIDDEN,
      ],
      ['no such case', fx.openBoard(cast.leader.token, m, 5, 'case'), BOARD_CLOSE.NOT_FOUND],
      [
        'board not shown in the lobby',
        fx.openBoard(cast.observer.token, m, 0, 'lobby'),
        BOARD_CLOSE.NOT_VISIBLE,
      ],
    ];
    for (const [what, client, code] of refusals) {
      const closed = await client.closed();
      expect(closed.code, what).toBe(code);
      expect(closed.reason.length, what).toBeGreaterThan(0);
      expect(client.provider.shouldConnect, what).toBe(false);
    }
    // A browser on the server's own host and a client without Origin are let in.
    const own = fx.openBoard(cast.leader.token, m, 0, 'own-origin', { origin: fx.url });
    const bare = fx.openBoard(cast.leader.token, m, 0, 'no-origin');
    await Promise.all([own.synced(), bare.synced()]);

    // A seat still in the waiting list.
    await cast.leader.run({ type: 'settings:update', locked: true });
    const joined = await fx.app.hub.join(cast.leader.view.joinCode as string, 'Wendy Waiting', 'participant');
    if (!joined.ok) throw new Error('join failed');
    const waiting = fx.openBoard(joined.value.token, m, 0, 'waiting');
    expect((await waiting.closed()).code).toBe(BOARD_CLOSE.FORBIDDEN);
  });

  it('with a public origin configured, only that origin is let in', async () => {
    const fx = await startBoardServer({ publicOrigin: 'https://balint.example.org' });
    const cast = await startBoardCast(fx);
    const good = fx.openBoard(cast.leader.token, cast.meetingId, 0, 'public', {
      origin: 'https://balint.example.org',
    });
    const own = fx.openBoard(cast.leader.token, cast.meetingId, 0, 'own-host', { origin: fx.url });
    await good.synced();
    expect((await own.closed()).code).toBe(BOARD_CLOSE.FORBIDDEN);
  });

  it('paths that are not a board room are refused with 4404; other paths are not the board’s', async () => {
    const fx = await startBoardServer();
    const cast = await startBoardCast(fx);
    for (const room of ['x', `${cast.meetingId}`, `${cast.meetingId}/0/1`, `${cast.meetingId}/a`]) {
      const raw = openRawBoard(fx, room, [BOARD_SUBPROTOCOL, cast.leader.token]);
      expect((await raw.closed).code, room).toBe(BOARD_CLOSE.NOT_FOUND);
    }
  });
});

describe('board connections: visibility follows the phase, purge and removal close (BOARD-5)', () => {
  it('members see the board only while the phase shows it; leaders always', async () => {
    const fx = await startBoardServer();
    const cast = await startBoardCast(fx, { templateId: 'classic-90-two-cases' });
    await cast.leader.run({ type: 'presenter:set', caseIndex: 1, seatId: cast.members[3]?.seatId ?? null });
    await goToPhase(cast.leader, 'questions');
    const early = board(fx, cast.members[0] as RecordingClient, cast);
    expect((await early.closed()).code).toBe(BOARD_CLOSE.NOT_VISIBLE);

    await goToPhase(cast.leader, 'speculation');
    const viewers = [cast.presenter, cast.members[0], cast.observer, cast.projector].map((c) =>
      board(fx, c as RecordingClient, cast),
    );
    const lead = board(fx, cast.leader, cast);
    await Promise.all([...viewers, lead].map((b) => b.synced()));
    await goToPhase(cast.leader, 'return');
    // Still shown in the return phase: nobody closed (a later change still arrives).
    setTheme(lead.doc, 'theme-still-there', 'Still');
    await Promise.all(viewers.map((v) => v.until((d) => readBoard(d).themes.length === 1, 'theme')));

    // The second case begins: the first case's board leaves the screens, not the leader's.
    await goToPhase(cast.leader, 'presentation', 1);
    for (const v of viewers) expect((await v.closed()).code).toBe(BOARD_CLOSE.NOT_VISIBLE);
    setTheme(lead.doc, 'theme-leader-only', 'Leader');
    const later = board(fx, cast.leader, cast);
    await later.until((d) => readBoard(d).themes.length === 2, 'the leader still edits case 0');
    expect(lead.closes).toEqual([]);
    const secondCase = board(fx, cast.members[0] as RecordingClient, cast, 1);
    expect((await secondCase.closed()).code).toBe(BOARD_CLOSE.NOT_VISIBLE);
    await goToPhase(cast.leader, 'speculation', 1);
    const secondCaseNow = board(fx, cast.members[0] as RecordingClient, cast, 1);
    await secondCaseNow.synced();
  });

  it('a removed seat is closed with 4401; the end of the meeting closes every board with 4410', async () => {
    const fx = await startBoardServer();
    const { cast } = await boardWithNotes(fx);
    const removed = board(fx, cast.members[1] as RecordingClient, cast);
    const others = [cast.leader, cast.members[0], cast.projector].map((c) =>
      board(fx, c as RecordingClient, cast),
    );
    await Promise.all([removed, ...others].map((b) => b.synced()));
    await cast.leader.run({ type: 'seat:remove', seatId: cast.members[1]?.seatId as string });
    expect((await removed.closed()).code).toBe(BOARD_CLOSE.BAD_TOKEN);

    await cast.leader.run({ type: 'meeting:end' });
    for (const b of others)
      expect(await b.closed()).toEqual({ code: BOARD_CLOSE.MEETING_ENDED, reason: 'meeting ended' });
    expect(await fx.storage.loadBoardUpdates(cast.meetingId, 0)).toEqual([]);
    expect(await fx.storage.listNotes(cast.meetingId)).toEqual([]);
  });
});

describe('board connections: keep-alive (BOARD-6)', () => {
  it('every connection hears a harmless frame each period, so a stock client never reconnects', async () => {
    const fx = await startBoardServer({ board: { keepAliveMs: 10_000 } });
    const { cast } = await boardWithNotes(fx);
    const reader = board(fx, cast.members[0] as RecordingClient, cast);
    const lead = board(fx, cast.leader, cast);
    await Promise.all([reader.synced(), lead.synced()]);
    const statesBefore = [...reader.provider.awareness.getStates().keys()];
    const isKeepAlive = (f: Uint8Array) => Buffer.from(f).equals(Buffer.from(KEEP_ALIVE_FRAME));
    for (let round = 1; round <= 4; round++) {
      const heard = Promise.all([
        reader.nextFrame(isKeepAlive, 'keep-alive'),
        lead.nextFrame(isKeepAlive, 'keep-alive'),
      ]);
      await fx.advance(10_000);
      await heard;
    }
    expect([...reader.provider.awareness.getStates().keys()]).toEqual(statesBefore);
    expect(reader.closes).toEqual([]);
    expect(reader.provider.wsconnected).toBe(true);
    expect(reader.provider.wsUnsuccessfulReconnects).toBe(0);
  });
});

async function serverDoc(fx: BoardFixture, cast: BoardCast): Promise<Y.Doc> {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, await fx.board.encodeBoard(cast.meetingId, 0));
  return doc;
}
