/**
 * DESIGN.md section 4, on the wire: one leader, one presenter, four participants, one observer
 * and one projector, each with a stock WebsocketProvider and a socket.io-client. Every frame the
 * non-leaders receive is recorded and every Yjs update in them decoded.
 */
import * as decoding from 'lib0/decoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MESSAGE_AWARENESS, MESSAGE_SYNC, SYNC_STEP_1 } from '../../server/board/wire';
import { readBoard, setNoteLayout, setTheme } from '../../shared/board/schema';
import {
  BOARD_NAMES,
  goToPhase,
  noteSecret,
  startBoardCast,
  startBoardServer,
  type BoardClient,
  type RecordingClient,
} from '../helpers/board-fixture';

interface DecodedFrame {
  structClients: number[];
  deleteClients: number[];
  awarenessClients: number[];
}

/** Every client id a board frame names: items, deletions, state vectors, awareness entries. */
function decodeFrame(frame: Uint8Array): DecodedFrame {
  const out: DecodedFrame = { structClients: [], deleteClients: [], awarenessClients: [] };
  const decoder = decoding.createDecoder(frame);
  const type = decoding.readVarUint(decoder);
  if (type === MESSAGE_SYNC) {
    const step = decoding.readVarUint(decoder);
    const payload = decoding.readVarUint8Array(decoder);
    if (step === SYNC_STEP_1) {
      out.structClients.push(...Y.decodeStateVector(payload).keys());
    } else {
      const { structs, ds } = Y.decodeUpdate(payload);
      out.structClients.push(...structs.map((s) => s.id.client));
      out.deleteClients.push(...ds.clients.keys());
    }
  } else if (type === MESSAGE_AWARENESS) {
    const update = decoding.createDecoder(decoding.readVarUint8Array(decoder));
    const count = decoding.readVarUint(update);
    for (let i = 0; i < count; i++) {
      out.awarenessClients.push(decoding.readVarUint(update));
      decoding.readVarUint(update);
      decoding.readVarString(update);
    }
  } else {
    throw new Error(`unexpected frame type ${type}`);
  }
  return out;
}

function containsText(haystack: Uint8Array | string, needle: string): boolean {
  return typeof haystack === 'string'
    ? haystack.includes(needle)
    : Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).includes(Buffer.from(needle));
}

describe('anonymity on the wire (DESIGN 4, BOARD-6, BOARD-8)', () => {
  it('every item comes from the server writer or a leader; no frame names an author; no payload pairs a note with one', async () => {
    const fx = await startBoardServer({ seed: 11 });
    const cast = await startBoardCast(fx);
    const { leader, presenter, members, observer, projector } = cast;
    await goToPhase(leader, 'speculation');

    const boards = new Map<RecordingClient, BoardClient>();
    for (const c of cast.everyone) boards.set(c, fx.openBoard(c.token, cast.meetingId, 0, c.label));
    await Promise.all([...boards.values()].map((b) => b.synced()));
    const board = (c: RecordingClient) => boards.get(c) as BoardClient;
    const nonLeaders = [presenter, ...members, observer, projector];
    const identities = nonLeaders.map((c) => ({ name: c.view.you.name, seatId: c.seatId, token: c.token }));
    // Participants try to announce themselves in awareness, as a careless client would.
    for (const c of nonLeaders) {
      board(c).provider.awareness.setLocalStateField('user', { name: c.view.you.name, seat: c.seatId });
    }
    // A leader's state has the console's shape, empty (WIRE-6): a name would close the connection.
    board(leader).provider.awareness.setLocalState({});

    // Notes: three rounds of four members, an edit, a deletion, a leader's note.
    const mine: { client: RecordingClient; noteId: string; secret: string }[] = [];
    for (let round = 0; round < 3; round++) {
      for (const [i, m] of members.entries()) {
        const secret = noteSecret();
        const ack = await m.send<{ noteId: string }>('note:add', {
          secret,
          kind: 'association',
          text: `round ${round} thought of member ${i}`,
        });
        if (!ack.ok) throw new Error(ack.error.code);
        mine.push({ client: m, noteId: ack.value.noteId, secret });
      }
    }
    const leaderNote = await leader.send<{ noteId: string }>('note:add', {
      secret: noteSecret(),
      kind: 'feeling',
      text: 'the leader feels it too',
    });
    expect(leaderNote.ok).toBe(true);
    const [first, second] = mine;
    if (!first || !second) throw new Error('no notes');
    expect(
      (
        await first.client.send('note:edit', {
          noteId: first.noteId,
          secret: first.secret,
          text: 'edited thought',
        })
      ).ok,
    ).toBe(true);
    expect(
      (await second.client.send('note:delete', { noteId: second.noteId, secret: second.secret })).ok,
    ).toBe(true);
    expect((await leader.send('board:release', {})).ok).toBe(true);

    // The leader arranges the board, hides a note and shows it again.
    await board(leader).until((d) => readBoard(d).notes.some((n) => n.text === 'edited thought'), 'the edit');
    const third = mine[2]?.noteId as string;
    setTheme(board(leader).doc, 'theme-anon-test-1', 'Helplessness');
    setNoteLayout(board(leader).doc, third, { theme: 'theme-anon-test-1', x: 120, y: 40, highlight: true });
    // Both changes reached the server (a board connection and Socket.IO are two channels: the hide
    // below must not overtake the layout).
    await board(members[3] as RecordingClient).until(
      (d) =>
        readBoard(d).themes.length === 1 &&
        readBoard(d).notes.find((n) => n.id === third)?.theme === 'theme-anon-test-1',
      'the theme and the layout',
    );
    expect((await leader.send('note:moderate', { noteId: third, action: 'hide' })).ok).toBe(true);
    expect((await leader.send('note:moderate', { noteId: third, action: 'show' })).ok).toBe(true);

    // The presenter marks a note in the return phase.
    await goToPhase(leader, 'return');
    await presenter.waitFor((v) => v.phases[v.currentIndex ?? 0]?.kind === 'return');
    // The presenter shows their marks to the room (BOARD-10), so the mark is on every board.
    expect((await presenter.run({ type: 'case:showResonance', caseIndex: 0, on: true })).ok).toBe(true);
    expect((await presenter.send('note:resonate', { noteId: third, on: true })).ok).toBe(true);

    // Everything has arrived everywhere.
    const serverState = Y.encodeStateVectorFromUpdate(await fx.board.encodeBoard(cast.meetingId, 0));
    const same = (d: Y.Doc) => Buffer.from(Y.encodeStateVector(d)).equals(Buffer.from(serverState));
    await Promise.all([...boards.values()].map((b) => b.until(same, 'the server state')));
    await Promise.all(cast.everyone.map((c) => c.barrier()));
    const finalBoard = readBoard(board(projector).doc);
    expect(finalBoard.notes.length).toBe(12); // 12 + the leader's - 1 deleted
    expect(finalBoard.notes.find((n) => n.id === third)).toMatchObject({
      resonance: 1,
      theme: 'theme-anon-test-1',
    });

    // 1. Every item, deletion and awareness entry a non-leader receives: the server's writer, a
    //    leader, or a release batch's own writer (SCALE-18: a client id for that batch only);
    //    never a participant's own copy.
    const writer = await fx.board.writerClientId(cast.meetingId, 0);
    const leaderDoc = board(leader).doc.clientID;
    const participantCopies = new Set(nonLeaders.map((c) => board(c).doc.clientID));
    const batchWriters = new Set<number>();
    let updatesSeen = 0;
    let leaderAwarenessSeen = 0;
    for (const c of nonLeaders) {
      const frames = board(c).frames;
      expect(frames.length).toBeGreaterThan(3);
      for (const frame of frames) {
        const d = decodeFrame(frame);
        updatesSeen += d.structClients.length;
        for (const id of [...d.structClients, ...d.deleteClients]) {
          expect(participantCopies.has(id), c.label).toBe(false);
          if (id !== writer && id !== leaderDoc) batchWriters.add(id);
        }
        for (const id of d.awarenessClients) expect(id, `${c.label} awareness`).toBe(leaderDoc);
        leaderAwarenessSeen += d.awarenessClients.length;
      }
    }
    expect(updatesSeen).toBeGreaterThan(0);
    expect(leaderAwarenessSeen).toBeGreaterThan(0);
    // The leader's release put the notes on the board under a writer of its own.
    expect(batchWriters.size).toBeGreaterThan(0);
    for (const c of nonLeaders) {
      // Nobody but the leader is in anyone's awareness.
      const others = [...board(c).provider.awareness.getStates().keys()].filter(
        (id) => id !== board(c).doc.clientID,
      );
      expect(others).toEqual([leaderDoc]);
    }

    // 2. No Yjs frame to anyone holds a participant's name, seat id or token.
    for (const c of cast.everyone) {
      for (const frame of board(c).frames) {
        for (const who of identities) {
          if (who.name) expect(containsText(frame, who.name), `${c.label} board frame`).toBe(false);
          expect(containsText(frame, who.seatId)).toBe(false);
          expect(containsText(frame, who.token)).toBe(false);
        }
      }
    }

    // 3. No Socket.IO payload (events or acks, to anyone) carries a note together with anything
    //    that identifies a participant.
    const notes = await fx.storage.listNotes(cast.meetingId);
    const noteMarks = [
      ...notes.map((n) => n.noteId),
      ...notes.map((n) => n.text),
      ...mine.map((m) => m.noteId),
    ];
    let notePackets = 0;
    for (const c of cast.everyone) {
      for (const packet of c.packets) {
        if (!noteMarks.some((mark) => packet.includes(mark))) continue;
        notePackets += 1;
        for (const who of identities) {
          if (who.name) expect(packet.includes(who.name), `${c.label}: ${packet.slice(0, 80)}`).toBe(false);
          expect(packet.includes(who.seatId), `${c.label}: ${packet.slice(0, 80)}`).toBe(false);
          expect(packet.includes(who.token)).toBe(false);
        }
      }
    }
    expect(notePackets).toBeGreaterThan(12);

    // 4. Nor does storage: note rows and board updates hold no seat, name or token.
    const stored =
      JSON.stringify(notes) +
      Buffer.concat(await fx.storage.loadBoardUpdates(cast.meetingId, 0)).toString('latin1');
    for (const who of [
      ...identities,
      { name: BOARD_NAMES.leader, seatId: leader.seatId, token: leader.token },
    ]) {
      if (who.name) expect(stored.includes(who.name)).toBe(false);
      expect(stored.includes(who.seatId)).toBe(false);
      expect(stored.includes(who.token)).toBe(false);
    }
  });
});
