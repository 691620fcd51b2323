/**
 * A connection whose set-up throws (storage failing while the board loads a leader's view) is
 * closed; the error never reaches the event loop and the server keeps serving.
 */
import { describe, expect, it } from 'vitest';
import { guarded, startBoardServer } from '../helpers/board-fixture';

describe('Socket.IO connection guard', () => {
  it('a connection whose set-up throws is disconnected; the next one is served', async () => {
    const fx = await startBoardServer();
    const meeting = await fx.api.createMeeting({ title: 'Guard', leaderName: 'Lee' });
    const listNotes = fx.storage.listNotes.bind(fx.storage);
    fx.storage.listNotes = () => {
      throw new Error('disk gone');
    };
    const broken = await fx.connect(meeting.leaderToken, 'broken leader');
    if (broken.socket.connected) {
      await guarded<void>('the broken connection to close', (resolve) =>
        broken.socket.once('disconnect', () => resolve()),
      );
    }
    expect(broken.socket.connected).toBe(false);

    fx.storage.listNotes = listNotes;
    const leader = await fx.connect(meeting.leaderToken, 'leader');
    expect(leader.view.meetingId).toBe(meeting.meetingId);
    const health = await fetch(`${fx.url}/healthz`);
    expect(health.status).toBe(200);
  });
});
