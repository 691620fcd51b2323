/**
 * WIRE-3: a leader update with a gap (it depends on structs the server never received) is held
 * for its missing part for HELD_UPDATE_MAX_MS and HELD_UPDATE_MAX_BYTES at most; then the leader's
 * connection is closed with 4422, instead of every later update being merged into the held one
 * and silently never applied.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { BOARD_CLOSE } from '../../shared/board/closeCodes';
import { readBoard, setNoteLayout } from '../../shared/board/schema';
import { HELD_UPDATE_MAX_BYTES, HELD_UPDATE_MAX_MS } from '../../server/board/updateCheck';
import { syncStep1Frame, updateFrame } from '../../server/board/wire';
import { BOARD_SUBPROTOCOL } from '../../shared/protocol';
import {
  goToPhase,
  guarded,
  noteSecret,
  openRawBoard,
  startBoardCast,
  startBoardServer,
  type BoardClient,
  type BoardFixture,
  type RecordingClient,
} from '../helpers/board-fixture';

/** A frame on the provider's own socket, as a client with a gap in its updates would send it. */
function sendFrame(client: BoardClient, frame: Uint8Array): void {
  client.provider.ws?.send(frame as Uint8Array<ArrayBuffer>);
}

/**
 * Resolves when the server has handled every frame `client` sent so far: frames of a connection
 * are handled in order, and a sync step 1 is answered with a sync step 2 (bytes 0, 1).
 */
async function handled(client: BoardClient): Promise<void> {
  const answer = client.nextFrame((f) => f[0] === 0 && f[1] === 1, 'the sync step 2');
  sendFrame(client, syncStep1Frame(client.doc));
  await answer;
}

/** A meeting in speculation with three released notes, a leader's and a projector's provider. */
async function leaderAndReader(fx: BoardFixture) {
  const cast = await startBoardCast(fx);
  await goToPhase(cast.leader, 'speculation');
  const ids: string[] = [];
  // A leader's release sends a batch of three (REL-4).
  for (const author of cast.members.slice(0, 3) as RecordingClient[]) {
    const added = await author.send<{ noteId: string }>('note:add', {
      secret: noteSecret(),
      kind: 'image',
      text: 'a note',
    });
    if (!added.ok) throw new Error(added.error.code);
    ids.push(added.value.noteId);
  }
  expect((await cast.leader.send('board:release', {})).ok).toBe(true);
  const lead = fx.openBoard(cast.leader.token, cast.meetingId, 0, 'leader');
  const reader = fx.openBoard(cast.projector.token, cast.meetingId, 0, 'projector');
  await Promise.all([lead.synced(), reader.synced()]);
  await reader.until((d) => readBoard(d).notes.length === 3, 'the notes');
  return { cast, lead, reader, noteId: ids[0] as string };
}

/**
 * An update of an unknown writer whose first structs are missing: it starts past clock 0, so the
 * server can never integrate it. `padding` makes it as large as wanted.
 */
function updateWithGap(padding = 0): Uint8Array {
  const foreign = new Y.Doc();
  foreign.clientID = 0x5eed_0001;
  foreign.getMap('themes').set('never-sent', 'x');
  const before = Y.encodeStateVector(foreign);
  foreign.getMap('themes').set('depends-on-it', 'y'.repeat(padding));
  const gap = Y.encodeStateAsUpdate(foreign, before);
  foreign.destroy();
  return gap;
}

describe('held leader updates (WIRE-3)', () => {
  it('WIRE-3: a held update waits 5 s at most, then the leader connection closes with 4422', async () => {
    const fx = await startBoardServer();
    const { cast, lead, reader, noteId } = await leaderAndReader(fx);
    sendFrame(lead, updateFrame(updateWithGap()));
    // The leader's arranging that follows is held with it: not applied, not relayed...
    setNoteLayout(lead.doc, noteId, { x: 321, highlight: true });
    await handled(lead);
    expect(readBoard(reader.doc).notes.find((n) => n.id === noteId)).toMatchObject({ highlight: false });
    await fx.advance(HELD_UPDATE_MAX_MS - 1);
    expect(lead.closes).toEqual([]);
    // ...and then given up, with a code the client acts on.
    await fx.advance(1);
    expect(await lead.closed()).toEqual({
      code: BOARD_CLOSE.INCOMPLETE_UPDATE,
      reason: `an update waited ${HELD_UPDATE_MAX_MS / 1000} s for a missing part`,
    });
    expect(readBoard(reader.doc).notes.find((n) => n.id === noteId)).toMatchObject({ highlight: false });
    const server = new Y.Doc();
    Y.applyUpdate(server, await fx.board.encodeBoard(cast.meetingId, 0));
    expect(readBoard(server).notes.find((n) => n.id === noteId)).toMatchObject({ highlight: false });
    expect(reader.closes).toEqual([]);
  });

  it('WIRE-3: a held update that grows past 64 KiB closes the connection at once with 4422', async () => {
    const fx = await startBoardServer();
    const { lead } = await leaderAndReader(fx);
    const big = updateWithGap(HELD_UPDATE_MAX_BYTES + 1_000);
    expect(big.length).toBeGreaterThan(HELD_UPDATE_MAX_BYTES);
    sendFrame(lead, updateFrame(big));
    expect(await lead.closed()).toEqual({
      code: BOARD_CLOSE.INCOMPLETE_UPDATE,
      reason: `an update waiting for a missing part grew over ${HELD_UPDATE_MAX_BYTES} bytes`,
    });
  });

  it('WIRE-3: an update whose missing part arrives in time is applied with it, and a later gap gets its own 5 s', async () => {
    const fx = await startBoardServer();
    const { cast, reader, noteId } = await leaderAndReader(fx);
    // Two updates of one leader copy, the second sent first (a resend can cross a later change).
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(reader.doc));
    const sv0 = Y.encodeStateVector(copy);
    setNoteLayout(copy, noteId, { x: 11 });
    const sv1 = Y.encodeStateVector(copy);
    const first = Y.encodeStateAsUpdate(copy, sv0);
    setNoteLayout(copy, noteId, { y: 22 });
    const second = Y.encodeStateAsUpdate(copy, sv1);
    copy.destroy();
    const raw = openRawBoard(fx, `${cast.meetingId}/0`, [BOARD_SUBPROTOCOL, cast.leader.token]);
    await raw.opened;
    raw.ws.send(updateFrame(second));
    raw.ws.send(updateFrame(first));
    await reader.until(
      (d) =>
        readBoard(d).notes.find((n) => n.id === noteId)?.x === 11 &&
        readBoard(d).notes.find((n) => n.id === noteId)?.y === 22,
      'both moves',
    );
    await fx.advance(HELD_UPDATE_MAX_MS * 2);
    const stillOpen = reader.nextFrame((f) => f[0] === 0 && f[1] === 1, 'the sync step 2');
    sendFrame(reader, syncStep1Frame(reader.doc));
    await stillOpen;
    expect(raw.ws.readyState).toBe(raw.ws.OPEN);
    // A gap on the same connection later is held afresh, from when it arrived.
    raw.ws.send(updateFrame(updateWithGap()));
    raw.ws.send(syncStep1Frame(reader.doc));
    await guarded<void>('the raw sync step 2', (resolve) =>
      raw.ws.on('message', (d: Buffer) => d[0] === 0 && d[1] === 1 && resolve()),
    );
    await fx.advance(HELD_UPDATE_MAX_MS - 1);
    expect(raw.ws.readyState).toBe(raw.ws.OPEN);
    await fx.advance(1);
    expect(await raw.closed).toMatchObject({ code: BOARD_CLOSE.INCOMPLETE_UPDATE });
  });
});
