/**
 * Phones in the room: the server listens on every interface, 127.0.0.2 stands for its network
 * address, and only leaders' and the projector's views name it.
 */
import { describe, expect, it } from 'vitest';
import { NAMES, startCast, startServer } from '../helpers/server-fixture';

const PHONE_ADDRESS = '127.0.0.2';

describe('LAN-3: leaders and the projector learn where phones can join', () => {
  it('LAN-3: a server on 0.0.0.0 offers its network address to leaders and projector only', async () => {
    const fx = await startServer({ host: '0.0.0.0', phoneAddresses: () => [PHONE_ADDRESS] });
    const cast = await startCast(fx);
    const phoneOrigin = `http://${PHONE_ADDRESS}:${fx.port}`;
    // The creating leader gets them with the links (the start screen shows the join link).
    const created = await fx.api.request<{ phoneOrigins?: string[] }>('POST', '/api/meetings', {});
    expect(created.body.phoneOrigins).toEqual([phoneOrigin]);
    await cast.leader.barrier();
    expect(cast.leader.view.phoneOrigins).toEqual([phoneOrigin]);
    expect(cast.projector.view.phoneOrigins).toEqual([phoneOrigin]);

    // A co-leader gets it as soon as the role is theirs, and loses it with the role.
    const promoted = cast.coLeader.nextState((v) => v.you.role === 'co-leader');
    expect(
      (await cast.leader.command({ type: 'seat:setRole', seatId: cast.coLeader.seatId, role: 'co-leader' }))
        .ok,
    ).toBe(true);
    expect((await promoted).phoneOrigins).toEqual([phoneOrigin]);
    const demoted = cast.coLeader.nextState((v) => v.you.role === 'participant');
    const back = { type: 'seat:setRole', seatId: cast.coLeader.seatId, role: 'participant' } as const;
    expect((await cast.leader.command(back)).ok).toBe(true);
    expect((await demoted).phoneOrigins).toBeUndefined();

    // Nobody else: not in any snapshot, nor anywhere in what they received.
    for (const member of [cast.presenter, cast.alice, cast.bob, cast.observer]) {
      await member.barrier();
      expect(member.view.phoneOrigins).toBeUndefined();
      expect(member.allJson()).not.toContain(PHONE_ADDRESS);
    }

    // The address is a real listener: a phone opening it reaches this server and can join.
    const health = await fetch(`${phoneOrigin}/healthz`);
    expect(health.status).toBe(200);
    const phoneJoin = await fetch(`${phoneOrigin}/api/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: phoneOrigin },
      body: JSON.stringify({ code: cast.meeting.joinCode, name: NAMES.late }),
    });
    expect(phoneJoin.status).toBe(201);
  });

  it('LAN-3: PUBLIC_ORIGIN, when set, is the one origin offered; loopback alone offers none', async () => {
    const fx = await startServer({
      publicOrigin: 'https://balint.example.org',
      phoneAddresses: () => [PHONE_ADDRESS],
    });
    const meeting = await fx.api.createMeeting({});
    const leader = await fx.connect(meeting.leaderToken, 'leader', {
      extraHeaders: { origin: 'https://balint.example.org' },
    });
    expect(leader.view.phoneOrigins).toEqual(['https://balint.example.org']);

    // A server on loopback alone offers nothing: the page keeps its own origin.
    const local = await startServer({ phoneAddresses: () => [] });
    const alone = await local.api.createMeeting({});
    const localLeader = await local.connect(alone.leaderToken, 'local leader');
    expect(localLeader.view.phoneOrigins).toBeUndefined();
  });
});
