import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ManualClock } from '../../server/core/clock';
import { labelExpiresAt, type CaseLabelsView, type ConsoleFollowUps } from '../../shared/group/followUp';
import type { GroupLeaderView } from '../../shared/group/views';
import { GROUP_FILE_NAME } from '../../server/groups/store';
import { canary, foundInFolder, scanFolder, tempFolder } from '../helpers/confidential';
import * as groups from '../helpers/groupFixtures';
import { pollUntil } from '../helpers/poll';
import { nextEvent, startServer, type ServerFixture, type TestClient } from '../helpers/server-fixture';

const DAY = 24 * 3_600_000;

/** A group's meeting in its closing phase: Alma presented case 0 from her phone, Ben listened. */
async function meetingAtCaseEnd(
  fx: ServerFixture,
  group: groups.TestGroup,
  tokens: { alma: string; ben: string },
) {
  const meeting = await groups.startGroupMeeting(fx.api, group);
  const leader = await fx.connect(meeting.leaderToken, 'leader');
  const almaSeat = (await groups.enter(fx.api, group.groupId, tokens.alma)).body;
  const benSeat = (await groups.enter(fx.api, group.groupId, tokens.ben)).body;
  const alma = await fx.connect(almaSeat.token, 'alma');
  const ben = await fx.connect(benSeat.token, 'ben');
  await leader.waitFor((v) => (v.seats?.length ?? 0) === 3);
  expect(await leader.command({ type: 'presenter:set', caseIndex: 0, seatId: almaSeat.seatId })).toEqual({
    ok: true,
  });
  expect(await leader.command({ type: 'meeting:start' })).toEqual({ ok: true });
  const closing = leader.view.phases.find((p) => p.kind === 'closing');
  expect(await leader.command({ type: 'phase:jump', phaseId: closing?.id ?? '' })).toEqual({ ok: true });
  await alma.waitFor((v) => v.currentIndex === leader.view.phases.length - 1);
  return { meeting, leader, alma, ben, almaSeat, benSeat };
}

async function endMeeting(leader: TestClient) {
  const gone = nextEvent(leader.socket, 'meeting:ended');
  expect(await leader.command({ type: 'meeting:end' })).toEqual({ ok: true });
  await gone;
}

const keep = (fx: ServerFixture, meetingId: string, token: string, body: Record<string, unknown>) =>
  fx.api.request<{ labelId: string }>(
    'POST',
    `/api/meetings/${meetingId}/case-labels`,
    body,
    groups.bearer(token),
  );

const labelsOf = (fx: ServerFixture, groupId: string, token: string) =>
  fx.api.request<CaseLabelsView>('GET', `/api/groups/${groupId}/labels`, undefined, groups.bearer(token));

async function setUp(dir?: string) {
  const fx = await startServer(dir ? { file: path.join(dir, 'balint-room.sqlite') } : {});
  const group = await groups.createGroup(fx.api);
  const alma = await groups.joinAndAdmit(fx.api, group, 'Alma Zyborski');
  const ben = await groups.joinAndAdmit(fx.api, group, 'Ben Quellmann');
  return { fx, group, tokens: { alma, ben } };
}

describe('case labels kept with the presenter’s yes (FOLLOW-1..4)', () => {
  it('FOLLOW-1, FOLLOW-3: the presenter keeps a label from their own seat; nobody else says yes for them', async () => {
    const { fx, group, tokens } = await setUp();
    const { meeting, leader, alma, ben } = await meetingAtCaseEnd(fx, group, tokens);
    const id = meeting.meetingId;
    const yes = { caseIndex: 0, label: '  the night call  ', followUp: true };
    // Another member cannot say yes for the presenter; a leader neither while she has a device.
    expect((await keep(fx, id, ben.token, yes)).status).toBe(403);
    const view = await fx.api.request<GroupLeaderView>(
      'GET',
      `/api/groups/${group.groupId}`,
      undefined,
      groups.bearer(group.leaderToken),
    );
    const almaId = view.body.members.find((m) => m.name === 'Alma Zyborski')?.id;
    expect((await keep(fx, id, leader.token, { ...yes, forMemberId: almaId })).status).toBe(403);
    expect((await keep(fx, id, leader.token, yes)).status).toBe(403);
    // A group token is not a seat of the meeting; a bad label is refused and keeps nothing.
    expect((await keep(fx, id, tokens.alma, yes)).status).toBe(401);
    expect((await keep(fx, id, alma.token, { ...yes, label: 'x'.repeat(81) })).status).toBe(400);
    expect((await keep(fx, id, alma.token, { ...yes, caseIndex: 1 })).status).toBe(400);
    expect((await labelsOf(fx, group.groupId, group.leaderToken)).body.labels).toEqual([]);

    const kept = await keep(fx, id, alma.token, yes);
    expect(kept.status, JSON.stringify(kept.body)).toBe(201);
    // One label per case.
    expect((await keep(fx, id, alma.token, { ...yes, label: 'again' })).status).toBe(409);
    const list = await labelsOf(fx, group.groupId, group.leaderToken);
    expect(list.body.labels).toEqual([
      {
        id: kept.body.labelId,
        label: 'the night call',
        caseAt: fx.clock.now(),
        followUp: true,
        presenterName: 'Alma Zyborski',
        expiresAt: labelExpiresAt(fx.clock.now()),
      },
    ]);
    await endMeeting(leader);
  });

  it('FOLLOW-1: before the case began, after the end, and in a meeting without a group, nothing is kept', async () => {
    const { fx, group, tokens } = await setUp();
    const meeting = await groups.startGroupMeeting(fx.api, group);
    const leader = await fx.connect(meeting.leaderToken, 'leader');
    const almaSeat = (await groups.enter(fx.api, group.groupId, tokens.alma)).body;
    const alma = await fx.connect(almaSeat.token, 'alma');
    await leader.waitFor((v) => (v.seats?.length ?? 0) === 2);
    await leader.command({ type: 'presenter:set', caseIndex: 0, seatId: almaSeat.seatId });
    const yes = { caseIndex: 0, label: 'the night call', followUp: false };
    // In the lobby, then in the opening: the case has not begun.
    expect((await keep(fx, meeting.meetingId, alma.token, yes)).status).toBe(409);
    await leader.command({ type: 'meeting:start' });
    expect((await keep(fx, meeting.meetingId, alma.token, yes)).status).toBe(409);

    const plain = await fx.api.createMeeting({ templateId: 'classic-90-one-case' });
    const plainLeader = await fx.connect(plain.leaderToken, 'plain leader');
    const pia = await fx.api.join(plain.joinCode, 'Pia');
    const piaClient = await fx.connect(pia.token, 'pia');
    await plainLeader.command({ type: 'presenter:set', caseIndex: 0, seatId: pia.seatId });
    await plainLeader.command({ type: 'meeting:start' });
    const ret = plainLeader.view.phases.find((p) => p.kind === 'return');
    await plainLeader.command({ type: 'phase:jump', phaseId: ret?.id ?? '' });
    const refused = await keep(fx, plain.meetingId, piaClient.token, yes);
    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.body)).toMatch(/without a group keeps nothing/);
    // FOLLOW-6: and its views say it is not a group's.
    expect(plainLeader.view.inGroup).toBe(false);
    expect(leader.view.inGroup).toBe(true);
    expect(alma.view.inGroup).toBe(true);
    expect(JSON.stringify(alma.view)).not.toContain(group.groupId);
    expect((await labelsOf(fx, group.groupId, group.leaderToken)).body.labels).toEqual([]);
  });

  it('FOLLOW-3: a leader records the yes of a presenter without a device, naming who presented', async () => {
    const { fx, group } = await setUp();
    const meeting = await groups.startGroupMeeting(fx.api, group);
    const leader = await fx.connect(meeting.leaderToken, 'leader');
    await leader.command({ type: 'meeting:start' });
    const closing = leader.view.phases.find((p) => p.kind === 'closing');
    await leader.command({ type: 'phase:jump', phaseId: closing?.id ?? '' });
    const console = await fx.api.request<ConsoleFollowUps>(
      'GET',
      `/api/meetings/${meeting.meetingId}/follow-ups`,
      undefined,
      groups.bearer(leader.token),
    );
    const ben = console.body.roster.find((m) => m.name === 'Ben Quellmann');
    expect(console.body.roster.map((m) => m.name).sort()).toEqual(['Alma Zyborski', 'Ben Quellmann']);
    const yes = { caseIndex: 0, label: 'the silent son', followUp: true };
    expect((await keep(fx, meeting.meetingId, leader.token, yes)).status).toBe(400);
    expect((await keep(fx, meeting.meetingId, leader.token, { ...yes, forMemberId: 'nobody' })).status).toBe(
      400,
    );
    expect((await keep(fx, meeting.meetingId, leader.token, { ...yes, forMemberId: ben?.id })).status).toBe(
      201,
    );
    const list = await labelsOf(fx, group.groupId, group.leaderToken);
    expect(list.body.labels.map((l) => ('presenterName' in l ? l.presenterName : null))).toEqual([
      'Ben Quellmann',
    ]);
  });

  it('FOLLOW-4: members see the labels only when a leader shares them, never who presented; the rest is the leaders’', async () => {
    const { fx, group, tokens } = await setUp();
    const { meeting, leader, alma } = await meetingAtCaseEnd(fx, group, tokens);
    const kept = await keep(fx, meeting.meetingId, alma.token, {
      caseIndex: 0,
      label: 'the night call',
      followUp: true,
    });
    await endMeeting(leader);
    const url = `/api/groups/${group.groupId}/labels`;
    expect((await labelsOf(fx, group.groupId, tokens.ben)).body).toEqual({ shared: false, labels: [] });
    // Members neither share, nor renew, nor delete; a leader of another group sees nothing.
    expect(
      (await fx.api.request('PUT', `${url}/shared`, { on: true }, groups.bearer(tokens.ben))).status,
    ).toBe(403);
    for (const [method, rest] of [
      ['POST', '/renew'],
      ['POST', '/done'],
      ['DELETE', ''],
    ] as const)
      expect(
        (
          await fx.api.request(
            method,
            `${url}/${kept.body.labelId}${rest}`,
            undefined,
            groups.bearer(tokens.alma),
          )
        ).status,
      ).toBe(403);
    const other = await groups.createGroup(fx.api, 'Other group');
    expect((await labelsOf(fx, group.groupId, other.leaderToken)).status).toBe(401);
    expect(
      (
        await fx.api.request(
          'DELETE',
          `${url}/${kept.body.labelId}`,
          undefined,
          groups.bearer(other.leaderToken),
        )
      ).status,
    ).toBe(401);
    // A pending request sees nothing even when shared.
    const asked = await fx.api.request<{ token: string }>('POST', '/api/groups/join', {
      code: group.memberCode,
      name: 'Carla Wartend',
    });

    expect(
      (await fx.api.request('PUT', `${url}/shared`, { on: true }, groups.bearer(group.leaderToken))).status,
    ).toBe(200);
    const seen = await labelsOf(fx, group.groupId, tokens.ben);
    expect(seen.body).toEqual({
      shared: true,
      labels: [
        { id: kept.body.labelId, label: 'the night call', caseAt: expect.any(Number), followUp: true },
      ],
    });
    expect(JSON.stringify(seen.body)).not.toMatch(/Alma|presenter/);
    expect((await labelsOf(fx, group.groupId, asked.body.token)).body).toEqual({ shared: false, labels: [] });
    // GROUP-15: the presenter's own export holds the label she kept; Ben's does not.
    const exported = (token: string) =>
      fx.api.request<{ caseLabels: { label: string }[] }>(
        'GET',
        `/api/groups/${group.groupId}/me/export`,
        undefined,
        groups.bearer(token),
      );
    expect((await exported(tokens.alma)).body.caseLabels.map((l) => l.label)).toEqual(['the night call']);
    expect((await exported(tokens.ben)).body.caseLabels).toEqual([]);
  });
});

describe('following a case up at a later meeting (FOLLOW-5, FOLLOW-7, FOLLOW-8)', () => {
  it('FOLLOW-5: the next meeting’s console lists the open follow-ups; one command adds the follow-up phase', async () => {
    const { fx, group, tokens } = await setUp();
    const first = await meetingAtCaseEnd(fx, group, tokens);
    await keep(fx, first.meeting.meetingId, first.alma.token, {
      caseIndex: 0,
      label: 'the night call',
      followUp: true,
    });
    await endMeeting(first.leader);

    const next = await groups.startGroupMeeting(fx.api, group);
    const leader = await fx.connect(next.leaderToken, 'leader 2');
    const ben = await fx.connect((await groups.enter(fx.api, group.groupId, tokens.ben)).body.token, 'ben 2');
    const consoleOf = (token: string) =>
      fx.api.request<ConsoleFollowUps>(
        'GET',
        `/api/meetings/${next.meetingId}/follow-ups`,
        undefined,
        groups.bearer(token),
      );
    const open = await consoleOf(leader.token);
    expect(open.body.followUps.map((f) => [f.label, f.presenterName])).toEqual([
      ['the night call', 'Alma Zyborski'],
    ]);
    expect((await consoleOf(ben.token)).status).toBe(403);
    // Members cannot add it (the permission table); the leader's one action does.
    expect(await ben.command({ type: 'phase:addFollowUp' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const planned = ben.nextState((v) => v.phases.some((p) => p.kind === 'follow-up'));
    expect(await leader.command({ type: 'phase:addFollowUp' })).toEqual({ ok: true });
    const seen = await planned;
    expect(seen.phases.map((p) => p.kind)).toEqual([
      'opening',
      'follow-up',
      'presentation',
      'speculation',
      'closing',
    ]);
    expect(seen.phases[1]).toMatchObject({
      plannedMs: 10 * 60_000,
      rules: { postKinds: [], boardVisible: false },
    });
    await endMeeting(leader);
  });

  it('FOLLOW-7: marked done or deleted, a label is gone, and in no file of the data folder', async () => {
    const dir = tempFolder();
    const { fx, group, tokens } = await setUp(dir);
    const { meeting, leader, alma } = await meetingAtCaseEnd(fx, group, tokens);
    const doneLabel = canary('donelabel');
    const kept = await keep(fx, meeting.meetingId, alma.token, {
      caseIndex: 0,
      label: doneLabel,
      followUp: true,
    });
    expect(kept.status).toBe(201);
    await endMeeting(leader);
    const second = await meetingAtCaseEnd(fx, group, tokens);
    const deletedLabel = canary('deletedlabel');
    const other = await keep(fx, second.meeting.meetingId, second.alma.token, {
      caseIndex: 0,
      label: deletedLabel,
      followUp: false,
    });
    await endMeeting(second.leader);
    expect(foundInFolder(dir, [doneLabel, deletedLabel]).size).toBe(2);

    const url = `/api/groups/${group.groupId}/labels`;
    const done = await fx.api.request(
      'POST',
      `${url}/${kept.body.labelId}/done`,
      undefined,
      groups.bearer(group.leaderToken),
    );
    expect(done.status).toBe(200);
    const removed = await fx.api.request(
      'DELETE',
      `${url}/${other.body.labelId}`,
      undefined,
      groups.bearer(group.leaderToken),
    );
    expect(removed.status).toBe(200);
    expect((await labelsOf(fx, group.groupId, group.leaderToken)).body.labels).toEqual([]);
    expect(
      (
        await fx.api.request(
          'DELETE',
          `${url}/${other.body.labelId}`,
          undefined,
          groups.bearer(group.leaderToken),
        )
      ).status,
    ).toBe(404);
    // Secure delete and the WAL truncated within seconds, while the server runs.
    await pollUntil(
      () => foundInFolder(dir, [doneLabel, deletedLabel]).size === 0,
      10_000,
      'the labels gone',
    );
    await fx.close();
    expect([...foundInFolder(dir, [doneLabel, deletedLabel])]).toEqual([]);
  });

  it('FOLLOW-8: a label nobody renews is deleted after 6 months; a renewed one stays', async () => {
    const { fx, group, tokens } = await setUp();
    const clock = fx.clock as ManualClock;
    const meetAndKeep = async (label: string) => {
      const at = await meetingAtCaseEnd(fx, group, tokens);
      const kept = await keep(fx, at.meeting.meetingId, at.alma.token, {
        caseIndex: 0,
        label,
        followUp: true,
      });
      await endMeeting(at.leader);
      return kept;
    };
    const old = await meetAndKeep('the night call');
    const renewed = await meetAndKeep('the silent son');
    const expiresAt = labelExpiresAt(fx.clock.now());
    clock.advance(90 * DAY);
    const url = `/api/groups/${group.groupId}/labels`;
    expect(
      (
        await fx.api.request(
          'POST',
          `${url}/${renewed.body.labelId}/renew`,
          undefined,
          groups.bearer(group.leaderToken),
        )
      ).status,
    ).toBe(200);
    clock.advance(expiresAt - fx.clock.now() - DAY);
    expect((await labelsOf(fx, group.groupId, group.leaderToken)).body.labels).toHaveLength(2);
    // The daily retention check passes the limit.
    clock.advance(2 * DAY);
    const left = (await labelsOf(fx, group.groupId, group.leaderToken)).body.labels;
    expect(left.map((l) => l.id)).toEqual([renewed.body.labelId]);
    expect(left.map((l) => l.id)).not.toContain(old.body.labelId);
  });

  it('FOLLOW-1: the intake label is used in the meeting but, without the presenter’s keep, never reaches the group file', async () => {
    const dir = tempFolder();
    const { fx, group, tokens } = await setUp(dir);
    const meeting = await groups.startGroupMeeting(fx.api, group);
    const leader = await fx.connect(meeting.leaderToken, 'leader');
    const alma = await fx.connect(
      (await groups.enter(fx.api, group.groupId, tokens.alma)).body.token,
      'alma',
    );
    const intakeLabel = canary('intakelabel');
    await leader.command({ type: 'meeting:start' });
    expect(await leader.command({ type: 'intake:open' })).toEqual({ ok: true });
    expect(await alma.command({ type: 'intake:volunteer', label: intakeLabel })).toEqual({ ok: true });
    const volunteer = (await leader.waitFor((v) => (v.spoken?.intake?.volunteers.length ?? 0) === 1)).spoken
      ?.intake?.volunteers[0];
    expect(volunteer?.label).toBe(intakeLabel);
    expect(
      await leader.command({ type: 'intake:pick', volunteerId: volunteer?.id ?? '', caseIndex: 0 }),
    ).toEqual({
      ok: true,
    });
    const closing = leader.view.phases.find((p) => p.kind === 'closing');
    await leader.command({ type: 'phase:jump', phaseId: closing?.id ?? '' });
    await alma.barrier();
    // While the meeting lives the intake is in the meetings' file only, never in the group's.
    expect(foundInFolder(dir, [intakeLabel]).size).toBe(1);
    expect(inGroupFiles(dir, intakeLabel)).toBe(false);
    await endMeeting(leader);
    expect((await labelsOf(fx, group.groupId, group.leaderToken)).body.labels).toEqual([]);
    expect(inGroupFiles(dir, intakeLabel)).toBe(false);
    await fx.close();
    expect([...foundInFolder(dir, [intakeLabel])]).toEqual([]);
  });
});

/** Whether any of the group file's own files (the file, its WAL) holds the needle. */
function inGroupFiles(dir: string, needle: string): boolean {
  return scanFolder(dir, [needle]).some((hit) => path.basename(hit.file).startsWith(GROUP_FILE_NAME));
}
