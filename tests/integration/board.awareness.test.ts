/**
 * WIRE-5, WIRE-6: awareness states are bounded in size and depth before anything parses or
 * re-encodes them, and a leader's state (the only kind relayed) has the console's shape: none.
 * Refusals close with 4400, which a stock provider takes as final (no reconnect loop).
 */
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { BOARD_CLOSE } from '../../shared/board/closeCodes';
import { BOARD_SUBPROTOCOL } from '../../shared/protocol';
import { MESSAGE_AWARENESS } from '../../server/board/wire';
import {
  goToPhase,
  guarded,
  openRawBoard,
  startBoardCast,
  startBoardServer,
  type BoardFixture,
  type RecordingClient,
} from '../helpers/board-fixture';

/** An awareness frame with one entry whose state is the given JSON text, as no stock client sends. */
function awarenessFrameOf(clientId: number, json: string): Uint8Array {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, 1);
  encoding.writeVarUint(inner, clientId);
  encoding.writeVarUint(inner, 1);
  encoding.writeVarString(inner, json);
  const outer = encoding.createEncoder();
  encoding.writeVarUint(outer, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(outer, encoding.toUint8Array(inner));
  return encoding.toUint8Array(outer);
}

async function speculation(fx: BoardFixture) {
  const cast = await startBoardCast(fx);
  await goToPhase(cast.leader, 'speculation');
  return cast;
}

function rawBoard(fx: BoardFixture, meetingId: string, who: RecordingClient) {
  return openRawBoard(fx, `${meetingId}/0`, [BOARD_SUBPROTOCOL, who.token]);
}

describe('awareness bounds (WIRE-5, WIRE-6)', () => {
  it('WIRE-5: a leader state nested 4,000 levels deep is refused with 4400, once, and the room lives on', async () => {
    const fx = await startBoardServer();
    const cast = await speculation(fx);
    const reader = fx.openBoard((cast.members[0] as RecordingClient).token, cast.meetingId, 0, 'reader');
    await reader.synced();
    const raw = rawBoard(fx, cast.meetingId, cast.leader);
    await raw.opened;
    const deep = '{"a":'.repeat(4_000) + '1' + '}'.repeat(4_000);
    raw.ws.send(awarenessFrameOf(12345, deep));
    const closed = await raw.closed;
    expect(closed.code).toBe(BOARD_CLOSE.MALFORMED);
    expect(closed.reason).toMatch(/^malformed message: awareness state/);
    // The reader heard nothing of it and is still connected.
    expect([...reader.provider.awareness.getStates().keys()]).not.toContain(12345);
    expect(reader.closes).toEqual([]);
    expect(reader.provider.wsconnected).toBe(true);
  });

  it('WIRE-5: a small state nested over 8 levels is refused with 4400', async () => {
    const fx = await startBoardServer();
    const cast = await speculation(fx);
    const raw = rawBoard(fx, cast.meetingId, cast.leader);
    await raw.opened;
    raw.ws.send(awarenessFrameOf(4242, '['.repeat(9) + ']'.repeat(9)));
    expect(await raw.closed).toEqual({
      code: BOARD_CLOSE.MALFORMED,
      reason: 'malformed message: awareness state nested over 8 levels',
    });
  });

  it("WIRE-5: states over 1,024 characters are refused with 4400, a participant's too", async () => {
    const fx = await startBoardServer();
    const cast = await speculation(fx);
    const big = JSON.stringify({ pad: 'x'.repeat(2_000) });
    const leader = rawBoard(fx, cast.meetingId, cast.leader);
    const member = rawBoard(fx, cast.meetingId, cast.members[1] as RecordingClient);
    await Promise.all([leader.opened, member.opened]);
    leader.ws.send(awarenessFrameOf(777, big));
    member.ws.send(awarenessFrameOf(778, big));
    for (const closed of await Promise.all([leader.closed, member.closed])) {
      expect(closed).toEqual({
        code: BOARD_CLOSE.MALFORMED,
        reason: expect.stringMatching(/over 1024 characters/),
      });
    }
  });

  it("WIRE-6: a leader's provider announcing a name is closed with 4400; its stock empty state is relayed", async () => {
    const fx = await startBoardServer();
    const cast = await speculation(fx);
    const reader = fx.openBoard((cast.members[0] as RecordingClient).token, cast.meetingId, 0, 'reader');
    const lead = fx.openBoard(cast.leader.token, cast.meetingId, 0, 'leader');
    await Promise.all([reader.synced(), lead.synced()]);
    // An empty state is allowed and relayed (a stock provider's first `{}` has clock 0, which
    // awareness never applies: it is set again here).
    const leaderId = lead.doc.clientID;
    lead.provider.awareness.setLocalState({});
    const hasLeader = () => reader.provider.awareness.getStates().has(leaderId);
    await guarded<void>("the leader's state", (resolve) => {
      const check = () => {
        if (!hasLeader()) return;
        reader.provider.awareness.off('update', check);
        resolve();
      };
      reader.provider.awareness.on('update', check);
      check();
    });
    expect(reader.provider.awareness.getStates().get(leaderId)).toEqual({});

    lead.provider.awareness.setLocalStateField('user', { name: 'Leader Name Canary' });
    expect(await lead.closed()).toEqual({
      code: BOARD_CLOSE.MALFORMED,
      reason: 'awareness state: only null or {}',
    });
    const canary = Buffer.from('Leader Name Canary');
    for (const frame of reader.frames) expect(Buffer.from(frame).includes(canary)).toBe(false);
  });
});
