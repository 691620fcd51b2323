import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GroupLeaderView, GroupMemberView } from '../../shared/group/views';
import { tempFolder } from '../helpers/confidential';
import { bearer, createGroup, enter, joinAndAdmit, startGroupMeeting } from '../helpers/groupFixtures';
import type { ManualClock } from '../../server/core/clock';
import { fragmentParam, nextEvent, startServer } from '../helpers/server-fixture';

describe('the group and its leaders (GROUP-1..4)', () => {
  it('GROUP-1: a group lives in its own 0600 file beside the meetings one; CREATE_KEY applies', async () => {
    const dir = tempFolder();
    const fx = await startServer({ createKey: 'k-123456789', file: path.join(dir, 'meetings.sqlite') });
    const refused = await fx.api.request('POST', '/api/groups', {});
    expect(refused.status).toBe(403);
    const name = 'GroupNameQ7c1f0e9aZ';
    const group = await createGroup(fx.api, name, { 'x-create-key': 'k-123456789' });
    expect(group.leaderLink).toMatch(new RegExp(`/g/${group.groupId}/lead#t=`));
    // GROUP-2: at least 128 bits in the fragment.
    expect(Buffer.from(group.leaderToken, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(statSync(fx.groupFile).mode & 0o777).toBe(0o600);
    await fx.close();
    expect(readFileSync(fx.groupFile).includes(name)).toBe(true);
    // The token itself is stored only as a hash.
    expect(readFileSync(fx.groupFile).includes(group.leaderToken)).toBe(false);
    expect(readFileSync(fx.dbFile).includes(name)).toBe(false);
  });

  it('GROUP-1: bad input is refused and nothing is made', async () => {
    const fx = await startServer();
    const bad = await fx.api.request('POST', '/api/groups', {
      settings: {
        name: '',
        language: 'fr',
        mode: 'x',
        anonymity: 'anonymous',
        plan: { name: 'p', phases: [] },
      },
      leaderName: 'L',
    });
    expect(bad.status).toBe(400);
    expect((bad.body as { error: { code: string } }).error.code).toBe('bad-request');
  });

  it('GROUP-2: a second-device link works until revoked; a token of another group opens nothing', async () => {
    const fx = await startServer();
    const group = await createGroup(fx.api);
    const other = await createGroup(fx.api, 'Other');
    const device = await fx.api.request<{ linkId: string; leaderLink: string }>(
      'POST',
      `/api/groups/${group.groupId}/devices`,
      { label: 'phone' },
      bearer(group.leaderToken),
    );
    expect(device.status).toBe(201);
    const phone = fragmentParam(device.body.leaderLink, 't');
    const seen = await fx.api.request<GroupLeaderView>(
      'GET',
      `/api/groups/${group.groupId}`,
      undefined,
      bearer(phone),
    );
    expect(seen.status).toBe(200);
    expect(seen.body.leaders[0]?.links.map((l) => l.label).sort()).toEqual(['first', 'phone']);
    expect(JSON.stringify(seen.body)).not.toContain(phone);
    const cross = await fx.api.request(
      'GET',
      `/api/groups/${group.groupId}`,
      undefined,
      bearer(other.leaderToken),
    );
    expect(cross.status).toBe(401);
    const revoked = await fx.api.request(
      'DELETE',
      `/api/groups/${group.groupId}/links/${device.body.linkId}`,
      undefined,
      bearer(group.leaderToken),
    );
    expect(revoked.status).toBe(200);
    const after = await fx.api.request('GET', `/api/groups/${group.groupId}`, undefined, bearer(phone));
    expect(after.status).toBe(401);
  });

  it('GROUP-3: co-leaders run the group; only the owner or a leader they named manages leaders', async () => {
    const fx = await startServer();
    const group = await createGroup(fx.api);
    const url = `/api/groups/${group.groupId}`;
    const add = (token: string, name: string) =>
      fx.api.request<{ leaderId: string; leaderLink: string }>(
        'POST',
        `${url}/leaders`,
        { name },
        bearer(token),
      );
    const cora = await add(group.leaderToken, 'Cora');
    expect(cora.status).toBe(201);
    const coraToken = fragmentParam(cora.body.leaderLink, 't');
    const dan = await add(group.leaderToken, 'Dan');
    // A co-leader admits members and starts meetings, but adds or revokes no leader.
    expect((await add(coraToken, 'Eve')).status).toBe(403);
    const view = await fx.api.request<GroupLeaderView>('GET', url, undefined, bearer(coraToken));
    const ownerId = view.body.leaders.find((l) => l.rights === 'owner')?.id;
    expect(
      (await fx.api.request('DELETE', `${url}/leaders/${dan.body.leaderId}`, undefined, bearer(coraToken)))
        .status,
    ).toBe(403);
    // The owner names Cora; she may now revoke Dan, never the owner.
    const named = await fx.api.request(
      'PUT',
      `${url}/leaders/${cora.body.leaderId}/manager`,
      { on: true },
      bearer(group.leaderToken),
    );
    expect(named.status).toBe(200);
    expect(
      (await fx.api.request('DELETE', `${url}/leaders/${ownerId}`, undefined, bearer(coraToken))).status,
    ).toBe(403);
    expect(
      (await fx.api.request('DELETE', `${url}/leaders/${dan.body.leaderId}`, undefined, bearer(coraToken)))
        .status,
    ).toBe(200);
    const danToken = fragmentParam(dan.body.leaderLink, 't');
    expect((await fx.api.request('GET', url, undefined, bearer(danToken))).status).toBe(401);
    // Only the owner names managers.
    expect(
      (
        await fx.api.request(
          'PUT',
          `${url}/leaders/${cora.body.leaderId}/manager`,
          { on: false },
          bearer(coraToken),
        )
      ).status,
    ).toBe(403);
  });

  it('GROUP-4: the recovery code gives the owner a new link, revokes the old ones and is used up', async () => {
    const fx = await startServer();
    const group = await createGroup(fx.api);
    const url = `/api/groups/${group.groupId}`;
    expect((await fx.api.request('POST', `${url}/recover`, { code: 'wrong-code-123' })).status).toBe(401);
    const recovered = await fx.api.request<{ leaderLink: string; recoveryCode: string }>(
      'POST',
      `${url}/recover`,
      {
        code: group.recoveryCode,
      },
    );
    expect(recovered.status).toBe(201);
    expect((await fx.api.request('GET', url, undefined, bearer(group.leaderToken))).status).toBe(401);
    const fresh = fragmentParam(recovered.body.leaderLink, 't');
    const view = await fx.api.request<GroupLeaderView>('GET', url, undefined, bearer(fresh));
    expect(view.body.you.rights).toBe('owner');
    expect((await fx.api.request('POST', `${url}/recover`, { code: group.recoveryCode })).status).toBe(401);
    expect(recovered.body.recoveryCode).not.toBe(group.recoveryCode);
  });
});

describe('the standing member link (GROUP-5..12)', () => {
  it('GROUP-5/6/12: join once, admitted, then straight into three consecutive meetings in their own seat', async () => {
    const fx = await startServer();
    const group = await createGroup(fx.api);
    const resolved = await fx.api.request<{ groupId: string; groupName: string }>(
      'POST',
      '/api/groups/resolve',
      {
        code: group.memberCode.toLowerCase().replace('-', ' '),
      },
    );
    expect(resolved.body).toEqual({ groupId: group.groupId, groupName: 'Thursday group' });
    const asked = await fx.api.request<{ memberId: string; token: string }>('POST', '/api/groups/join', {
      code: group.memberCode,
      name: 'Alma Zyborski',
    });
    expect(asked.status).toBe(201);
    const alma = asked.body.token;
    const me = () =>
      fx.api.request<GroupMemberView>('GET', `/api/groups/${group.groupId}`, undefined, bearer(alma));
    expect((await me()).body.you.status).toBe('pending');
    // Not admitted yet: no way into anything, and no leader's view.
    await startGroupMeeting(fx.api, group).then(async (m) => {
      expect((await enter(fx.api, group.groupId, alma)).status).toBe(403);
      expect((await me()).body.meeting).toBe('none');
      const leader = await fx.connect(m.leaderToken, 'leader');
      const gone = nextEvent(leader.socket, 'meeting:ended');
      expect((await leader.command({ type: 'meeting:end' })).ok).toBe(true);
      await gone;
    });
    const admit = await fx.api.request(
      'POST',
      `/api/groups/${group.groupId}/members/${asked.body.memberId}/admit`,
      undefined,
      bearer(group.leaderToken),
    );
    expect(admit.status).toBe(200);
    expect((await me()).body.you.status).toBe('admitted');

    for (let round = 0; round < 3; round++) {
      expect((await enter(fx.api, group.groupId, alma)).status).toBe(409);
      const meeting = await startGroupMeeting(fx.api, group);
      expect((await me()).body.meeting).toBe('live');
      const first = await enter(fx.api, group.groupId, alma);
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ meetingId: meeting.meetingId, role: 'participant' });
      const seat = await fx.connect(first.body.token, `alma ${round}`);
      expect(seat.view.you.seatId).toBe(first.body.seatId);
      expect((seat.view.seats ?? []).find((s) => s.id === first.body.seatId)?.name).toBe('Alma Zyborski');
      // A reload (or the same link again) comes back in the same seat, not a second one.
      const again = await enter(fx.api, group.groupId, alma);
      expect(again.body.seatId).toBe(first.body.seatId);
      const leader = await fx.connect(meeting.leaderToken, `leader ${round}`);
      expect((leader.view.seats ?? []).filter((s) => s.name === 'Alma Zyborski')).toHaveLength(1);
      // Guests still come in with the join code, off the roster.
      const guest = await fx.api.join(meeting.joinCode, 'Gustav Guest');
      expect(guest.meetingId).toBe(meeting.meetingId);
      const ended = nextEvent(seat.socket, 'meeting:ended');
      expect((await leader.command({ type: 'meeting:end' })).ok).toBe(true);
      await ended;
      expect((await me()).body.meeting).toBe('none');
    }
  });

  it('GROUP-8: a new device asks again; merged with the roster entry it enters the same seat', async () => {
    const fx = await startServer();
    const group = await createGroup(fx.api);
    const laptop = await joinAndAdmit(fx.api, group, 'Bert Okonkwo-Ray');
    const meeting = await startGroupMeeting(fx.api, group);
    const seatA = await enter(fx.api, group.groupId, laptop);
    const asked = await fx.api.request<{ memberId: string; token: string }>('POST', '/api/groups/join', {
      code: group.memberCode,
      name: 'Bert on phone',
    });
    const url = `/api/groups/${group.groupId}`;
    const view = await fx.api.request<GroupLeaderView>('GET', url, undefined, bearer(group.leaderToken));
    const bert = view.body.members.find((m) => m.name === 'Bert Okonkwo-Ray');
    expect(view.body.members.find((m) => m.id === asked.body.memberId)?.status).toBe('pending');
    // Merging into a request, or a request that is not one, is refused.
    expect(
      (
        await fx.api.request(
          'POST',
          `${url}/members/${bert?.id}/merge`,
          { into: asked.body.memberId },
          bearer(group.leaderToken),
        )
      ).status,
    ).toBe(404);
    const merged = await fx.api.request(
      'POST',
      `${url}/members/${asked.body.memberId}/merge`,
      { into: bert?.id },
      bearer(group.leaderToken),
    );
    expect(merged.status).toBe(200);
    const after = await fx.api.request<GroupLeaderView>('GET', url, undefined, bearer(group.leaderToken));
    expect(after.body.members.map((m) => m.name)).toEqual(['Bert Okonkwo-Ray']);
    const seatB = await enter(fx.api, group.groupId, asked.body.token);
    expect(seatB.body).toMatchObject({ meetingId: meeting.meetingId, seatId: seatA.body.seatId });
    // Signing out on the phone leaves the laptop (and the roster entry) as they were.
    expect((await fx.api.request('DELETE', `${url}/me`, undefined, bearer(asked.body.token))).status).toBe(
      200,
    );
    expect((await enter(fx.api, group.groupId, asked.body.token)).status).toBe(401);
    expect((await enter(fx.api, group.groupId, laptop)).status).toBe(201);
    // A leader revokes the member's devices: the entry stays, the laptop is out.
    expect(
      (
        await fx.api.request(
          'DELETE',
          `${url}/members/${bert?.id}/devices`,
          undefined,
          bearer(group.leaderToken),
        )
      ).status,
    ).toBe(200);
    expect((await enter(fx.api, group.groupId, laptop)).status).toBe(401);
  });

  it('GROUP-5: a rotated member code stops opening the group; admitted devices keep working', async () => {
    const fx = await startServer();
    const group = await createGroup(fx.api);
    const alma = await joinAndAdmit(fx.api, group, 'Alma Zyborski');
    const rotated = await fx.api.request<{ memberCode: string }>(
      'POST',
      `/api/groups/${group.groupId}/member-code`,
      undefined,
      bearer(group.leaderToken),
    );
    expect(rotated.body.memberCode).not.toBe(group.memberCode);
    expect((await fx.api.request('POST', '/api/groups/resolve', { code: group.memberCode })).status).toBe(
      404,
    );
    expect(
      (await fx.api.request('POST', '/api/groups/join', { code: group.memberCode, name: 'X' })).status,
    ).toBe(404);
    expect(
      (await fx.api.request('POST', '/api/groups/resolve', { code: rotated.body.memberCode })).status,
    ).toBe(200);
    expect(
      (await fx.api.request('GET', `/api/groups/${group.groupId}`, undefined, bearer(alma))).status,
    ).toBe(200);
  });

  it('GROUP-10/12: a co-leader enters the live meeting as co-leader; the member sees next date, soon, live', async () => {
    const fx = await startServer();
    const group = await createGroup(fx.api);
    const url = `/api/groups/${group.groupId}`;
    const alma = await joinAndAdmit(fx.api, group, 'Alma Zyborski');
    const me = async () => (await fx.api.request<GroupMemberView>('GET', url, undefined, bearer(alma))).body;
    expect((await me()).meeting).toBe('none');
    const at = fx.clock.now() + 7 * 24 * 3_600_000;
    expect((await fx.api.request('PUT', `${url}/schedule`, { at }, bearer(alma))).status).toBe(403);
    expect((await fx.api.request('PUT', `${url}/schedule`, { at }, bearer(group.leaderToken))).status).toBe(
      200,
    );
    expect(await me()).toMatchObject({ meeting: 'scheduled', nextAt: at });
    (fx.clock as ManualClock).advance(at - fx.clock.now() - 10 * 60_000);
    expect((await me()).meeting).toBe('soon');
    const cora = await fx.api.request<{ leaderLink: string }>(
      'POST',
      `${url}/leaders`,
      { name: 'Cora Vantongeren' },
      bearer(group.leaderToken),
    );
    const coraToken = fragmentParam(cora.body.leaderLink, 't');
    const meeting = await startGroupMeeting(fx.api, group);
    expect((await me()).meeting).toBe('live');
    // One live meeting per group.
    expect((await fx.api.request('POST', `${url}/meetings`, {}, bearer(coraToken))).status).toBe(409);
    const seat = await enter(fx.api, group.groupId, coraToken);
    expect(seat.body.role).toBe('co-leader');
    const client = await fx.connect(seat.body.token, 'cora');
    expect(client.view.you.role).toBe('co-leader');
    // The starting leader coming back through the group gets the leader seat again.
    const lena = await enter(fx.api, group.groupId, group.leaderToken);
    expect(lena.body.role).toBe('leader');
    expect(lena.body.meetingId).toBe(meeting.meetingId);
  });

  it('GROUP-7/9: caps on leaders and links; a removed member’s device opens nothing', async () => {
    const fx = await startServer();
    const group = await createGroup(fx.api);
    const url = `/api/groups/${group.groupId}`;
    const auth = bearer(group.leaderToken);
    for (let i = 1; i < 6; i++)
      expect((await fx.api.request('POST', `${url}/leaders`, { name: `Co ${i}` }, auth)).status).toBe(201);
    const seventh = await fx.api.request<{ error: { code: string } }>(
      'POST',
      `${url}/leaders`,
      { name: 'Co 7' },
      auth,
    );
    expect([seventh.status, seventh.body.error.code]).toEqual([409, 'limit-reached']);
    for (let i = 1; i < 4; i++)
      expect((await fx.api.request('POST', `${url}/devices`, { label: `d${i}` }, auth)).status).toBe(201);
    expect((await fx.api.request('POST', `${url}/devices`, { label: 'd5' }, auth)).status).toBe(409);
    const alma = await joinAndAdmit(fx.api, group, 'Alma Zyborski');
    const view = await fx.api.request<GroupLeaderView>('GET', url, undefined, auth);
    const id = view.body.members[0]?.id;
    expect((await fx.api.request('DELETE', `${url}/members/${id}`, undefined, bearer(alma))).status).toBe(
      403,
    );
    expect((await fx.api.request('DELETE', `${url}/members/${id}`, undefined, auth)).status).toBe(200);
    expect((await fx.api.request('GET', url, undefined, bearer(alma))).status).toBe(401);
  });
});

describe('a member’s own data (GROUP-15)', () => {
  it('GROUP-15: a member downloads what is linked to their entry, then leaves, attendance and all', async () => {
    const fx = await startServer();
    const group = await createGroup(fx.api);
    const url = `/api/groups/${group.groupId}`;
    const alma = await joinAndAdmit(fx.api, group, 'Alma Zyborski');
    await joinAndAdmit(fx.api, group, 'Bert Okonkwo-Ray');
    const meeting = await startGroupMeeting(fx.api, group);
    const leader = await fx.connect(meeting.leaderToken, 'leader');
    await fx.connect((await enter(fx.api, group.groupId, alma)).body.token, 'alma');
    await leader.command({ type: 'meeting:start' });
    const gone = nextEvent(leader.socket, 'meeting:ended');
    await leader.command({ type: 'meeting:end' });
    await gone;
    const exported = await fx.api.request<{
      member: { name: string };
      devices: unknown[];
      attendance: { attended: boolean; status: string }[];
    }>('GET', `${url}/me/export`, undefined, bearer(alma));
    expect(exported.status).toBe(200);
    expect(exported.body.member.name).toBe('Alma Zyborski');
    expect(exported.body.devices).toHaveLength(1);
    expect(exported.body.attendance).toEqual([
      expect.objectContaining({ attended: true, status: 'proposed' }),
    ]);
    // Nothing of anyone else, and no token or hash.
    const json = JSON.stringify(exported.body);
    expect(json).not.toContain('Bert');
    expect(json).not.toContain(alma);
    expect(
      (await fx.api.request('GET', `${url}/me/export`, undefined, bearer(group.leaderToken))).status,
    ).toBe(403);
    expect((await fx.api.request('DELETE', `${url}/me/entry`, undefined, bearer(alma))).status).toBe(200);
    expect((await fx.api.request('GET', url, undefined, bearer(alma))).status).toBe(401);
    const sessions = await fx.api.request<{ sessions: { attendance: { name: string }[] }[] }>(
      'GET',
      `${url}/sessions`,
      undefined,
      bearer(group.leaderToken),
    );
    expect(sessions.body.sessions[0]?.attendance.map((a) => a.name)).toEqual(['Bert Okonkwo-Ray']);
  });
});

describe('retention (GROUP-16)', () => {
  it('GROUP-16: a group with no meeting for 18 months shows a notice for 30 days, then is deleted', async () => {
    const fx = await startServer();
    const clock = fx.clock as ManualClock;
    const quiet = await createGroup(fx.api, 'Quiet group');
    const busy = await createGroup(fx.api, 'Busy group');
    const alma = await joinAndAdmit(fx.api, quiet, 'Alma Zyborski');
    const view = (g: { groupId: string }, token: string) =>
      fx.api.request<GroupLeaderView>('GET', `/api/groups/${g.groupId}`, undefined, bearer(token));
    expect((await view(quiet, quiet.leaderToken)).body.deletesAt).toBeNull();
    const DAY = 24 * 3_600_000;
    clock.advance(520 * DAY);
    // The busy group meets: its clock starts again.
    const meeting = await startGroupMeeting(fx.api, busy);
    const leader = await fx.connect(meeting.leaderToken, 'leader');
    const gone = nextEvent(leader.socket, 'meeting:ended');
    await leader.command({ type: 'meeting:end' });
    await gone;
    clock.advance(25 * DAY);
    const noticed = await view(quiet, quiet.leaderToken);
    expect(noticed.body.deletesAt).toBeGreaterThan(fx.clock.now());
    expect(
      (await fx.api.request<GroupMemberView>('GET', `/api/groups/${quiet.groupId}`, undefined, bearer(alma)))
        .body.deletesAt,
    ).toBe(noticed.body.deletesAt);
    clock.advance((noticed.body.deletesAt ?? 0) - fx.clock.now() + DAY);
    expect((await view(quiet, quiet.leaderToken)).status).toBe(401);
    expect((await view(busy, busy.leaderToken)).body.deletesAt).toBeNull();
  });
});

describe('retention as configuration (START-5)', () => {
  it('START-5: GET /api/privacy answers the periods in force; a group goes after GROUP_RETENTION_MONTHS', async () => {
    const fx = await startServer({ groupRetentionMonths: 2, debriefRetentionMonths: 3 });
    const clock = fx.clock as ManualClock;
    const periods = await fx.api.request('GET', '/api/privacy');
    expect(periods.body).toEqual({ groupMonths: 2, debriefMonths: 3, labelMonths: 6 });
    const defaults = await startServer();
    expect((await defaults.api.request('GET', '/api/privacy')).body).toEqual({
      groupMonths: 18,
      debriefMonths: 12,
      labelMonths: 6,
    });
    const group = await createGroup(fx.api, 'Short-lived group');
    const view = () =>
      fx.api.request<GroupLeaderView>(
        'GET',
        `/api/groups/${group.groupId}`,
        undefined,
        bearer(group.leaderToken),
      );
    const DAY = 24 * 3_600_000;
    clock.advance(40 * DAY);
    // The notice of the last 30 days shows within the shorter period, then the group goes.
    expect((await view()).body.deletesAt).toBeGreaterThan(fx.clock.now());
    clock.advance(30 * DAY);
    expect((await view()).status).toBe(401);
  });
});
