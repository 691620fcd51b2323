import Database from 'better-sqlite3';
import path from 'node:path';
import { queryMeetingsDb } from '../helpers/test-storage';
import { describe, expect, it } from 'vitest';
import type { ManualClock } from '../../server/core/clock';
import { GROUP_FILE_NAME } from '../../server/groups/store';
import { PRESENCE_SLOT_MS, PROPOSAL_KEPT_MS } from '../../shared/group/attendance';
import type { GroupLeaderView, GroupSessionView, MemberRecordView } from '../../shared/group/views';
import { canary, DB_FILE_NAME, foundInFolder, tempFolder } from '../helpers/confidential';
import { connectRecording, goToPhase, noteSecret } from '../helpers/board-fixture';
import { bearer, createGroup, enter, joinAndAdmit, startGroupMeeting } from '../helpers/groupFixtures';
import { pollUntil } from '../helpers/poll';
import { Api, nextEvent, startServer, type ServerFixture, type TestClient } from '../helpers/server-fixture';
import { spawnServer, tempDataDir } from '../helpers/server-process';

const sessionsOf = async (api: Api, groupId: string, token: string) =>
  (
    await api.request<{ sessions: GroupSessionView[] }>(
      'GET',
      `/api/groups/${groupId}/sessions`,
      undefined,
      bearer(token),
    )
  ).body.sessions;

/** Waits until the hub has seen the connection close (the server learns it asynchronously). */
async function dropped(fx: ServerFixture, meetingId: string, client: TestClient): Promise<void> {
  const seatId = client.seatId;
  client.close();
  await pollUntil(() => !fx.app.hub.connectedSeats(meetingId).includes(seatId), 5_000, 'the seat gone');
}

/** Stored presence slots, all of them or those of persons whose key starts with `person`. */
function slotsStored(file: string, person = ''): number {
  const db = new Database(file, { readonly: true });
  try {
    return (
      db.prepare("SELECT COUNT(*) AS n FROM presence_slots WHERE person LIKE ? || '%'").get(person) as {
        n: number;
      }
    ).n;
  } finally {
    db.close();
  }
}

describe('attendance from presence (ATT-1..6)', () => {
  it('ATT-1/2: a member who drops out and rejoins attended; one who left early did not; slots go at the end', async () => {
    const fx = await startServer();
    const clock = fx.clock as ManualClock;
    // Start on a slot boundary, so that the meeting spans exactly twelve slots.
    clock.advance(PRESENCE_SLOT_MS - (clock.now() % PRESENCE_SLOT_MS));
    const group = await createGroup(fx.api);
    const alma = await joinAndAdmit(fx.api, group, 'Alma Zyborski');
    const bert = await joinAndAdmit(fx.api, group, 'Bert Okonkwo-Ray');
    await joinAndAdmit(fx.api, group, 'Cara Without-Phone');
    const dana = await joinAndAdmit(fx.api, group, 'Dana Early-Leaver');
    const meeting = await startGroupMeeting(fx.api, group);
    const leader = await fx.connect(meeting.leaderToken, 'leader');
    const seat = async (token: string, label: string) =>
      fx.connect((await enter(fx.api, group.groupId, token)).body.token, label);
    const a = await seat(alma, 'alma');
    let b = await seat(bert, 'bert');
    const d = await seat(dana, 'dana');
    expect((await leader.command({ type: 'meeting:start' })).ok).toBe(true);
    const step = () => clock.advance(PRESENCE_SLOT_MS);
    // Slots 0-1 everyone; Dana leaves, Bert drops out for slots 2-4 and comes back for 5-11.
    step();
    step();
    await dropped(fx, meeting.meetingId, d);
    await dropped(fx, meeting.meetingId, b);
    step();
    step();
    step();
    b = await seat(bert, 'bert again');
    for (let i = 5; i < 12; i++) step();
    expect(a.view.you.seatId).toBeTruthy();
    expect(slotsStored(fx.groupFile)).toBeGreaterThan(0);
    const ended = nextEvent(b.socket, 'meeting:ended');
    expect((await leader.command({ type: 'meeting:end' })).ok).toBe(true);
    await ended;
    // ATT-1: the slots were the meeting's, and went with it.
    expect(slotsStored(fx.groupFile)).toBe(0);
    const [session] = await sessionsOf(fx.api, group.groupId, group.leaderToken);
    expect(session?.status).toBe('proposed');
    const byName = Object.fromEntries((session?.attendance ?? []).map((e) => [e.name, e]));
    expect(byName['Alma Zyborski']).toMatchObject({ attended: true, place: null });
    expect(byName['Bert Okonkwo-Ray']?.attended).toBe(true);
    expect(byName['Cara Without-Phone']?.attended).toBe(false);
    expect(byName['Dana Early-Leaver']?.attended).toBe(false);
    expect(session?.leaderNames).toEqual(['Lena Leitner-Quast']);
    // The planned plan is 90 minutes: one double session by default.
    expect([session?.plannedMinutes, session?.doubleSessions]).toEqual([90, 1]);
    // Nothing of the meeting's content is in it.
    expect(Object.keys(session ?? {}).sort()).toEqual(
      [
        'attendance',
        'doubleSessions',
        'endedAt',
        'id',
        'leaderNames',
        'mode',
        'plannedMinutes',
        'startedAt',
        'status',
      ].sort(),
    );
  });

  it('ATT-2, FORMAT-1: a group meeting starts in its group’s format; attendance records the format it ended in', async () => {
    const fx = await startServer();
    const group = await createGroup(fx.api); // a hybrid group
    const alma = await joinAndAdmit(fx.api, group, 'Alma Zyborski');
    const meeting = await startGroupMeeting(fx.api, group);
    const leader = await fx.connect(meeting.leaderToken, 'leader');
    expect(leader.view.spoken?.format).toBe('hybrid');
    const a = await fx.connect((await enter(fx.api, group.groupId, alma)).body.token, 'alma');
    expect((await leader.command({ type: 'meeting:start' })).ok).toBe(true);
    // This week the group met online.
    expect((await leader.command({ type: 'meeting:setFormat', format: 'online' })).ok).toBe(true);
    const ended = nextEvent(a.socket, 'meeting:ended');
    expect((await leader.command({ type: 'meeting:end' })).ok).toBe(true);
    await ended;
    const [session] = await sessionsOf(fx.api, group.groupId, group.leaderToken);
    expect(session?.mode).toBe('online');
  });

  it('ATT-3/4/6: leaders correct and confirm; members see only their own, confirmed; proposals expire after 14 days', async () => {
    const fx = await startServer();
    const clock = fx.clock as ManualClock;
    const group = await createGroup(fx.api);
    const url = `/api/groups/${group.groupId}`;
    const alma = await joinAndAdmit(fx.api, group, 'Alma Zyborski');
    const cara = await joinAndAdmit(fx.api, group, 'Cara Without-Phone');
    const runMeeting = async () => {
      const meeting = await startGroupMeeting(fx.api, group);
      const leader = await fx.connect(meeting.leaderToken, 'leader');
      await fx.connect((await enter(fx.api, group.groupId, alma)).body.token, 'alma');
      expect((await leader.command({ type: 'meeting:start' })).ok).toBe(true);
      clock.advance(90 * 60_000);
      const gone = nextEvent(leader.socket, 'meeting:ended');
      await leader.command({ type: 'meeting:end' });
      await gone;
    };
    await runMeeting();
    const [proposed] = await sessionsOf(fx.api, group.groupId, group.leaderToken);
    const record = async (token: string) =>
      (await fx.api.request<MemberRecordView>('GET', `${url}/me/record`, undefined, bearer(token))).body;
    // Unconfirmed, it counts for nobody.
    expect((await record(alma)).sessions).toEqual([]);
    const view = await fx.api.request<GroupLeaderView>('GET', url, undefined, bearer(group.leaderToken));
    const idOf = (name: string) => view.body.members.find((m) => m.name === name)?.id ?? '';
    // A hybrid session needs a place for everyone who attended.
    const lines = [
      { memberId: idOf('Alma Zyborski'), attended: true, place: 'remote' as const },
      { memberId: idOf('Cara Without-Phone'), attended: true, place: null },
    ];
    const put = (body: unknown, token = group.leaderToken) =>
      fx.api.request('PUT', `${url}/sessions/${proposed?.id}`, body, bearer(token));
    expect((await put({ doubleSessions: 1, attendance: lines })).status).toBe(400);
    expect((await put({ doubleSessions: 1, attendance: lines }, alma)).status).toBe(403);
    expect((await put({ doubleSessions: 9, attendance: lines })).status).toBe(400);
    lines[1] = { memberId: idOf('Cara Without-Phone'), attended: true, place: 'room' } as never;
    expect((await put({ doubleSessions: 2, attendance: lines })).status).toBe(200);
    const confirmed = (await sessionsOf(fx.api, group.groupId, group.leaderToken))[0];
    expect(confirmed?.status).toBe('confirmed');
    // ATT-5: a remote member of a hybrid session counts at most one double session.
    const almaRecord = await record(alma);
    expect(almaRecord.sessions).toHaveLength(1);
    expect(almaRecord.sessions[0]).toMatchObject({ attended: true, place: 'remote', counted: 1 });
    expect(almaRecord.totals).toEqual({
      inPerson: 0,
      online: 1,
      doubleSessions: 1,
      germanUnits: 2,
      hours: 1.5,
    });
    const caraRecord = await record(cara);
    expect(caraRecord.totals).toEqual({
      inPerson: 2,
      online: 0,
      doubleSessions: 2,
      germanUnits: 4,
      hours: 3,
    });
    expect(JSON.stringify(caraRecord)).not.toContain('Alma');
    // A second meeting nobody confirms is gone after 14 days.
    await runMeeting();
    expect(await sessionsOf(fx.api, group.groupId, group.leaderToken)).toHaveLength(2);
    clock.advance(PROPOSAL_KEPT_MS + 1);
    const left = await sessionsOf(fx.api, group.groupId, group.leaderToken);
    expect(left.map((s) => s.status)).toEqual(['confirmed']);
  });
});

describe('attendance across a crash and the purge', () => {
  it('ATT-1: presence stored before a SIGKILL mid-meeting still makes the proposal after the restart', async () => {
    const dataDir = tempDataDir();
    const first = await spawnServer({ dataDir });
    const api = new Api(first.url);
    const group = await createGroup(api);
    const alma = await joinAndAdmit(api, group, 'Alma Zyborski');
    await joinAndAdmit(api, group, 'Bert Never-Came');
    const meeting = await startGroupMeeting(api, group);
    const leader = await connectRecording(first.url, meeting.leaderToken, 'leader');
    expect((await leader.run({ type: 'meeting:start' })).ok).toBe(true);
    const almaSeat = await enter(api, group.groupId, alma);
    const almaClient = await connectRecording(first.url, almaSeat.body.token, 'alma');
    // Alma's own slot: the leader's, stored first under load, would not make her attended.
    await pollUntil(
      () => slotsStored(path.join(dataDir, GROUP_FILE_NAME), 'm:') > 0,
      5_000,
      'a member’s stored slot',
    );
    almaClient.close();
    leader.close();
    await first.stop('SIGKILL');

    const second = await spawnServer({ dataDir, port: first.port });
    try {
      const again = await connectRecording(second.url, meeting.leaderToken, 'leader again');
      const gone = nextEvent(again.socket, 'meeting:ended');
      expect((await again.run({ type: 'meeting:end' })).ok).toBe(true);
      await gone;
      again.close();
      const [session] = await sessionsOf(api, group.groupId, group.leaderToken);
      const byName = Object.fromEntries((session?.attendance ?? []).map((e) => [e.name, e.attended]));
      expect(byName).toEqual({ 'Alma Zyborski': true, 'Bert Never-Came': false });
    } finally {
      await second.stop('SIGTERM');
    }
  });

  it('ATT-7: the meeting’s board is gone at its end, the group’s attendance is not', async () => {
    const dataDir = tempFolder();
    const server = await spawnServer({ dataDir });
    const api = new Api(server.url);
    const group = await createGroup(api);
    const memberName = canary('rostername');
    const alma = await joinAndAdmit(api, group, memberName);
    const meeting = await startGroupMeeting(api, group);
    const leader = await connectRecording(server.url, meeting.leaderToken, 'leader');
    const seat = await enter(api, group.groupId, alma);
    const member = await connectRecording(server.url, seat.body.token, 'alma');
    await goToPhase(leader, 'speculation', 0);
    const noteText = canary('notetext');
    const added = await member.send('note:add', { secret: noteSecret(), kind: 'feeling', text: noteText });
    expect(added.ok).toBe(true);
    expect(foundInFolder(dataDir, [noteText]).size).toBe(1);
    const gone = nextEvent(member.socket, 'meeting:ended');
    expect((await leader.run({ type: 'meeting:end' })).ok).toBe(true);
    await gone;
    const [session] = await sessionsOf(api, group.groupId, group.leaderToken);
    await server.stop('SIGTERM');
    // The note is in no file of the data folder; the roster name and the attendance are.
    expect(foundInFolder(dataDir, [noteText]).size).toBe(0);
    expect(foundInFolder(path.join(dataDir), [memberName]).size).toBe(1);
    expect(session?.attendance.map((e) => [e.name, e.attended])).toEqual([[memberName, true]]);
    const meetings = path.join(dataDir, DB_FILE_NAME);
    expect(await queryMeetingsDb(meetings, 'SELECT COUNT(*) AS n FROM notes')).toEqual([{ n: 0 }]);
    expect(await queryMeetingsDb(meetings, 'SELECT COUNT(*) AS n FROM board_updates')).toEqual([{ n: 0 }]);
  });
});

describe('deleting a group (GROUP-14)', () => {
  it('GROUP-14, FOLLOW-7: a deleted group leaves nothing in any file of the data folder, its live meeting and case labels neither', async () => {
    const dataDir = tempFolder();
    const server = await spawnServer({ dataDir });
    const api = new Api(server.url);
    const groupName = canary('groupname');
    const memberName = canary('membername');
    const accreditation = canary('accreditation');
    const group = await createGroup(api, groupName);
    const url = `/api/groups/${group.groupId}`;
    await api.request('PUT', `${url}/accreditation`, { text: accreditation }, bearer(group.leaderToken));
    const alma = await joinAndAdmit(api, group, memberName);
    const cora = await api.request<{ leaderLink: string }>(
      'POST',
      `${url}/leaders`,
      { name: 'Cora' },
      bearer(group.leaderToken),
    );
    const coraToken = new URLSearchParams(new URL(cora.body.leaderLink).hash.slice(1)).get('t') ?? '';
    // A confirmed session, then a live meeting with a note in it.
    const first = await startGroupMeeting(api, group);
    const leader = await connectRecording(server.url, first.leaderToken, 'leader');
    await connectRecording(server.url, (await enter(api, group.groupId, alma)).body.token, 'alma');
    await leader.run({ type: 'meeting:start' });
    const gone = nextEvent(leader.socket, 'meeting:ended');
    await leader.run({ type: 'meeting:end' });
    await gone;
    const live = await startGroupMeeting(api, group);
    const leader2 = await connectRecording(server.url, live.leaderToken, 'leader 2');
    const member = await connectRecording(
      server.url,
      (await enter(api, group.groupId, alma)).body.token,
      'alma 2',
    );
    await goToPhase(leader2, 'speculation', 0);
    const noteText = canary('notetext');
    expect(
      (await member.send('note:add', { secret: noteSecret(), kind: 'feeling', text: noteText })).ok,
    ).toBe(true);
    // FOLLOW-7: a case label kept with the presenter's yes goes with the group too.
    const caseLabel = canary('caselabel');
    expect(await leader2.run({ type: 'presenter:set', caseIndex: 0, seatId: member.seatId })).toEqual({
      ok: true,
    });
    const kept = await api.request(
      'POST',
      `/api/meetings/${live.meetingId}/case-labels`,
      { caseIndex: 0, label: caseLabel, followUp: true },
      bearer(member.token),
    );
    expect(kept.status).toBe(201);
    const needles = [groupName, memberName, accreditation, noteText, caseLabel];
    expect(foundInFolder(dataDir, needles).size).toBe(5);
    // Only who manages leaders deletes the group.
    expect((await api.request('DELETE', url, undefined, bearer(alma))).status).toBe(403);
    expect((await api.request('DELETE', url, undefined, bearer(coraToken))).status).toBe(403);
    const ended = nextEvent(member.socket, 'meeting:ended');
    expect((await api.request('DELETE', url, undefined, bearer(group.leaderToken))).status).toBe(200);
    await ended;
    expect((await api.request('GET', url, undefined, bearer(group.leaderToken))).status).toBe(401);
    expect((await api.request('GET', url, undefined, bearer(alma))).status).toBe(401);
    await server.stop('SIGTERM');
    expect([...foundInFolder(dataDir, needles)]).toEqual([]);
  });
});
