/**
 * The Socket.IO handshake: protocol version, seat token (in `auth` only), browser Origin; and a
 * seat that comes back after a reload or a dropped connection.
 */
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import { connectClient, nextEvent, refusedHandshake, startServer } from '../helpers/server-fixture';

describe('the handshake and seats that come back (API-8, API-11)', () => {
  it("API-8: refuses a wrong protocol version with 'protocol-mismatch'", async () => {
    const fx = await startServer();
    const m = await fx.api.createMeeting({});
    for (const protocolVersion of [0, PROTOCOL_VERSION + 1, String(PROTOCOL_VERSION), null, undefined]) {
      expect(
        await refusedHandshake(fx.url, { token: m.leaderToken, protocolVersion }),
        String(protocolVersion),
      ).toBe('protocol-mismatch');
    }
  });

  it("API-8: refuses a missing or wrong token with 'unauthenticated'", async () => {
    const fx = await startServer();
    const m = await fx.api.createMeeting({});
    const bad: unknown[] = [
      undefined,
      '',
      42,
      { token: m.leaderToken },
      [m.leaderToken],
      'x'.repeat(32),
      m.leaderToken.slice(0, -1),
      `${m.leaderToken}x`,
      m.projectorKey, // the projector key is claimed over REST, it is no seat token
      'y'.repeat(10_000),
    ];
    for (const token of bad) {
      expect(await refusedHandshake(fx.url, { token, protocolVersion: PROTOCOL_VERSION })).toBe(
        'unauthenticated',
      );
    }
  });

  it('API-8: never takes the token from the query string', async () => {
    const fx = await startServer();
    const m = await fx.api.createMeeting({});
    const code = await refusedHandshake(
      fx.url,
      { protocolVersion: PROTOCOL_VERSION },
      { query: { token: m.leaderToken, auth: m.leaderToken } },
    );
    expect(code).toBe('unauthenticated');
  });

  it("API-8: refuses a browser Origin other than the server's own host", async () => {
    const fx = await startServer();
    const m = await fx.api.createMeeting({});
    const auth = { token: m.leaderToken, protocolVersion: PROTOCOL_VERSION };
    // The upgrade itself is refused, before any Socket.IO packet: the client sees a transport error.
    expect(await refusedHandshake(fx.url, auth, { extraHeaders: { origin: 'http://evil.example' } })).toBe(
      'websocket error',
    );
    // Its own origin, and no Origin at all (a non-browser client), are judged by the token.
    const same = await connectClient(fx.url, m.leaderToken, 'same-origin', {
      extraHeaders: { origin: fx.url },
    });
    same.close();
  });

  it('API-8: with a public origin configured, accepts only that origin', async () => {
    const fx = await startServer({ publicOrigin: 'https://balint.example.org' });
    const m = await fx.api.createMeeting({});
    expect(m.leaderLink.startsWith('https://balint.example.org/m/')).toBe(true);
    const auth = { token: m.leaderToken, protocolVersion: PROTOCOL_VERSION };
    expect(await refusedHandshake(fx.url, auth, { extraHeaders: { origin: fx.url } })).toBe(
      'websocket error',
    );
    const ok = await fx.connect(m.leaderToken, 'public', {
      extraHeaders: { origin: 'https://balint.example.org' },
    });
    expect(ok.view.you.role).toBe('leader');
  });

  it('API-11: a reload comes back to the same seat and role; two tabs count as one seat', async () => {
    const fx = await startServer();
    const m = await fx.api.createMeeting({ leaderName: 'Lea' });
    const seat = await fx.api.join(m.joinCode, 'Tim Tabs');
    const leader = await fx.connect(m.leaderToken, 'leader');
    const first = await fx.connect(seat.token, 'tab 1');
    expect(first.view.you).toMatchObject({ seatId: seat.seatId, role: 'participant', name: 'Tim Tabs' });
    await leader.waitFor((v) => v.connections?.[seat.seatId] === 1);

    const second = await fx.connect(seat.token, 'tab 2');
    expect(second.view.you.seatId).toBe(seat.seatId);
    expect(fx.app.hub.view(m.meetingId, m.meetingId)).toBeNull();
    expect(fx.app.hub.view(m.meetingId, leader.seatId)?.connections?.[seat.seatId]).toBe(2);
    expect(fx.app.hub.view(m.meetingId, leader.seatId)?.presence).toEqual({ connected: 2, total: 2 });

    // Both tabs close; the seat stays, with its role, and is shown as away.
    const away = leader.nextState((v) => v.seats?.find((s) => s.id === seat.seatId)?.connected === false);
    first.close();
    second.close();
    await away;
    expect(await leader.command({ type: 'seat:setRole', seatId: seat.seatId, role: 'co-leader' })).toEqual({
      ok: true,
    });
    const reloaded = await fx.connect(seat.token, 'reloaded');
    expect(reloaded.view.you).toMatchObject({ seatId: seat.seatId, role: 'co-leader', name: 'Tim Tabs' });
    expect(reloaded.view.waiting).toEqual([]);
  });

  it('API-11, ROLE-5: a removed seat is told, disconnected, and its token stops working', async () => {
    const fx = await startServer();
    const m = await fx.api.createMeeting({});
    const seat = await fx.api.join(m.joinCode, 'Rita Removed');
    const leader = await fx.connect(m.leaderToken, 'leader');
    const removed = await fx.connect(seat.token, 'removed');
    const told = nextEvent(removed.socket, 'seat:removed');
    const closed = nextEvent<[string]>(removed.socket, 'disconnect');
    expect(await leader.command({ type: 'seat:remove', seatId: seat.seatId })).toEqual({ ok: true });
    await told;
    expect((await closed)[0]).toBe('io server disconnect');
    expect(await refusedHandshake(fx.url, { token: seat.token, protocolVersion: PROTOCOL_VERSION })).toBe(
      'unauthenticated',
    );
    expect(leader.view.seats?.some((s) => s.id === seat.seatId)).toBe(false);
  });

  it('API-11, ROLE-3: a co-leader who removes their own seat still gets the ack', async () => {
    const fx = await startServer();
    const m = await fx.api.createMeeting({});
    const seat = await fx.api.join(m.joinCode, 'Carl Co');
    const leader = await fx.connect(m.leaderToken, 'leader');
    const co = await fx.connect(seat.token, 'co');
    expect(await leader.command({ type: 'seat:setRole', seatId: seat.seatId, role: 'co-leader' })).toEqual({
      ok: true,
    });
    expect(await co.command({ type: 'seat:remove', seatId: seat.seatId })).toEqual({ ok: true });
  });

  it('MEET-8, API-4: the join code can be changed: the old one stops working, the new one works', async () => {
    const fx = await startServer();
    const m = await fx.api.createMeeting({});
    const leader = await fx.connect(m.leaderToken, 'leader');
    const rotated = leader.nextState((v) => v.joinCode !== m.joinCode);
    expect(await leader.command({ type: 'joinCode:rotate' })).toEqual({ ok: true });
    const newCode = (await rotated).joinCode as string;
    expect(newCode).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    expect((await fx.api.request('POST', '/api/join', { code: m.joinCode, name: 'Old' })).status).toBe(404);
    expect((await fx.api.request('POST', '/api/join', { code: newCode, name: 'New' })).status).toBe(201);
  });

  it("TIME-8: time:ping answers with the server's clock", async () => {
    const fx = await startServer();
    const m = await fx.api.createMeeting({});
    const leader = await fx.connect(m.leaderToken, 'leader');
    expect(await leader.barrier()).toBe(fx.clock.now());
    expect(leader.view.serverNow).toBe(fx.clock.now());
  });
});
