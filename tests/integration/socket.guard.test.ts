/**
 * A connection whose set-up throws (storage failing while the board loads a leader's view, or
 * while a board upgrade looks up its token) is closed; the error never reaches the event loop and
 * the server keeps serving.
 */
import { io } from 'socket.io-client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BOARD_CLOSE } from '../../shared/board/closeCodes';
import { BOARD_SUBPROTOCOL, PROTOCOL_VERSION } from '../../shared/protocol';
import { guarded, openRawBoard, startBoardServer } from '../helpers/board-fixture';

describe('Socket.IO connection guard', () => {
  it('a connection whose set-up throws is disconnected; the next one is served', async () => {
    const fx = await startBoardServer();
    const meeting = await fx.api.createMeeting({ title: 'Guard', leaderName: 'Lee' });
    const listUnsettledNotes = fx.storage.listUnsettledNotes.bind(fx.storage);
    fx.storage.listUnsettledNotes = () => {
      throw new Error('disk gone');
    };
    const broken = await fx.connect(meeting.leaderToken, 'broken leader');
    if (broken.socket.connected) {
      await guarded<void>('the broken connection to close', (resolve) =>
        broken.socket.once('disconnect', () => resolve()),
      );
    }
    expect(broken.socket.connected).toBe(false);

    fx.storage.listUnsettledNotes = listUnsettledNotes;
    const leader = await fx.connect(meeting.leaderToken, 'leader');
    expect(leader.view.meetingId).toBe(meeting.meetingId);
    const health = await fetch(`${fx.url}/healthz`);
    expect(health.status).toBe(200);
  });
});

describe('board upgrade guard', () => {
  it('an upgrade whose token look-up throws is closed with 1011; the next one is served', async () => {
    const fx = await startBoardServer();
    const meeting = await fx.api.createMeeting({ title: 'Guard', leaderName: 'Lee' });
    const find = fx.storage.findSeatByToken.bind(fx.storage);
    fx.storage.findSeatByToken = () => {
      throw new Error('disk gone');
    };
    const broken = openRawBoard(fx, `${meeting.meetingId}/0`, [BOARD_SUBPROTOCOL, meeting.leaderToken]);
    expect((await broken.closed).code).toBe(BOARD_CLOSE.SERVER_ERROR);

    fx.storage.findSeatByToken = find;
    const board = fx.openBoard(meeting.leaderToken, meeting.meetingId, 0, 'leader board');
    await board.synced();
  });
});

describe('Socket.IO handshake guard', () => {
  it('a handshake whose token look-up throws is refused with unavailable; the next one is served', async () => {
    const fx = await startBoardServer();
    const meeting = await fx.api.createMeeting({ title: 'Guard', leaderName: 'Lee' });
    const find = fx.storage.findSeatByToken.bind(fx.storage);
    fx.storage.findSeatByToken = () => {
      throw new Error('disk gone');
    };
    const socket = io(fx.url, {
      auth: { token: meeting.leaderToken, protocolVersion: PROTOCOL_VERSION },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    onTestFinished(() => void socket.disconnect());
    const refused = await guarded<{ data?: { code?: string } }>('connect_error', (resolve) =>
      socket.once('connect_error', (err) => resolve(err as { data?: { code?: string } })),
    );
    expect(refused.data?.code).toBe('unavailable');

    fx.storage.findSeatByToken = find;
    const leader = await fx.connect(meeting.leaderToken, 'leader');
    expect(leader.view.meetingId).toBe(meeting.meetingId);
  });
});
