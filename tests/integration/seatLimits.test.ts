/** WIRE-7 over REST: a full meeting answers 409 `limit-reached` to a join and a projector claim. */
import { describe, expect, it } from 'vitest';
import { MAX_ADMITTED_SEATS, MAX_PROJECTOR_SEATS } from '../../shared/meeting/seatLimits';
import { startServer } from '../helpers/server-fixture';

describe('seat caps over REST (WIRE-7)', () => {
  it('WIRE-7: the join past 40 seats and the fourth projector claim are 409 limit-reached, and no seat is made', async () => {
    const fx = await startServer();
    const m = await fx.api.createMeeting({ leaderName: 'Lea' });
    // Filled through the hub: the REST join is rate-limited per address (30 per 10 minutes).
    for (let i = 1; i < MAX_ADMITTED_SEATS; i++) {
      expect((await fx.app.hub.join(m.joinCode, `Member ${i}`, 'participant')).ok).toBe(true);
    }
    const join = await fx.api.request('POST', '/api/join', { code: m.joinCode, name: 'One too many' });
    expect(join).toMatchObject({ status: 409, body: { error: { code: 'limit-reached' } } });

    for (let i = 0; i < MAX_PROJECTOR_SEATS; i++) {
      const claim = await fx.api.request('POST', `/api/meetings/${m.meetingId}/projector`, {
        key: m.projectorKey,
      });
      expect(claim.status).toBe(201);
    }
    const fourth = await fx.api.request('POST', `/api/meetings/${m.meetingId}/projector`, {
      key: m.projectorKey,
    });
    expect(fourth).toMatchObject({ status: 409, body: { error: { code: 'limit-reached' } } });
    expect(fx.app.hub.state(m.meetingId)?.seats).toHaveLength(MAX_ADMITTED_SEATS + MAX_PROJECTOR_SEATS);
  });
});
