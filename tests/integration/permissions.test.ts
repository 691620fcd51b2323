/**
 * The permission table on the real server: every leader command, sent over a real socket by each
 * role that is not a leader, is refused with 'forbidden' and changes nothing.
 */
import { describe, expect, it } from 'vitest';
import type { MeetingCommand, MeetingCommandType } from '../../shared/meeting/commands';
import { COMMAND_ACCESS } from '../../shared/meeting/permissions';
import { startCast, startServer, type Cast, type TestClient } from '../helpers/server-fixture';

/**
 * One valid example of every command type, as a leader could send it in a running meeting, so
 * that the only reason left to refuse it is who sends it. The mapped type makes the compiler
 * complain when a command type is added and missing here.
 */
function everyCommand(cast: Cast): { [K in MeetingCommandType]: Extract<MeetingCommand, { type: K }> } {
  const [, second, third] = cast.leader.view.phases;
  if (!second || !third) throw new Error('the template has phases');
  return {
    'meeting:start': { type: 'meeting:start' },
    'meeting:end': { type: 'meeting:end' },
    'timer:pause': { type: 'timer:pause' },
    'timer:resume': { type: 'timer:resume' },
    'timer:adjust': { type: 'timer:adjust', minutes: 5 },
    'phase:next': { type: 'phase:next' },
    'phase:previous': { type: 'phase:previous' },
    'phase:jump': { type: 'phase:jump', phaseId: third.id },
    'phase:setDuration': { type: 'phase:setDuration', phaseId: second.id, minutes: 42 },
    'phase:add': { type: 'phase:add', kind: 'questions', minutes: 5, afterPhaseId: second.id, caseIndex: 0 },
    'phase:remove': { type: 'phase:remove', phaseId: third.id },
    'phase:addFollowUp': { type: 'phase:addFollowUp' },
    'case:add': { type: 'case:add' },
    'presenter:set': { type: 'presenter:set', caseIndex: 0, seatId: cast.alice.seatId },
    'case:showResonance': { type: 'case:showResonance', caseIndex: 1, on: false },
    'case:setParkingLot': { type: 'case:setParkingLot', caseIndex: 0, parkingLot: 'room' },
    'seat:setRole': { type: 'seat:setRole', seatId: cast.bob.seatId, role: 'co-leader' },
    'seat:remove': { type: 'seat:remove', seatId: cast.bob.seatId },
    'seat:admit': { type: 'seat:admit', seatId: cast.bob.seatId },
    'joinCode:rotate': { type: 'joinCode:rotate' },
    'settings:update': {
      type: 'settings:update',
      timerVisibility: 'everyone',
      locked: true,
      title: 'Mine now',
    },
    'prompt:show': { type: 'prompt:show', prompt: { kind: 'own', text: 'Who else is in the room?' } },
    'prompt:clear': { type: 'prompt:clear' },
    'prompt:save': { type: 'prompt:save', text: 'What is it like to be the doctor?' },
    'prompt:forget': { type: 'prompt:forget', text: 'What is it like to be the doctor?' },
    'meeting:setFormat': { type: 'meeting:setFormat', format: 'online' },
    'intake:open': { type: 'intake:open' },
    'intake:close': { type: 'intake:close' },
    'intake:volunteer': { type: 'intake:volunteer', label: 'the caller' },
    'intake:withdraw': { type: 'intake:withdraw' },
    'intake:add': { type: 'intake:add', name: 'Ada' },
    'intake:pick': { type: 'intake:pick', volunteerId: 'v1', caseIndex: 0 },
    'intake:remove': { type: 'intake:remove', volunteerId: 'v1' },
    'intake:showLabels': { type: 'intake:showLabels', shown: true },
    'hands:enable': { type: 'hands:enable', enabled: true },
    'hand:raise': { type: 'hand:raise' },
    'hand:lower': { type: 'hand:lower' },
    'hands:next': { type: 'hands:next' },
    'hands:clear': { type: 'hands:clear' },
    'seating:set': { type: 'seating:set', seatIds: [cast.alice.seatId] },
    'round:start': {
      type: 'round:start',
      order: 'shuffled',
      turnSeconds: 40,
      turnTimeFor: 'leaders',
      addSeatIds: [],
      addNames: ['Ada'],
    },
    'round:add': { type: 'round:add', name: 'Ben' },
    'round:next': { type: 'round:next' },
    'round:pass': { type: 'round:pass' },
    'round:end': { type: 'round:end' },
  };
}

/** The leaders' rows of the permission table (members' commands: tests/integration/spoken.*.test.ts). */
function leaderCommands(cast: Cast): MeetingCommand[] {
  return (Object.values(everyCommand(cast)) as MeetingCommand[]).filter(
    (c) => COMMAND_ACCESS[c.type] === 'leaders',
  );
}

async function refusedEverything(cast: Cast, who: TestClient[], commands: MeetingCommand[]) {
  const hub = cast.fx.app.hub;
  // Let every snapshot already on its way arrive, so that any later one would be news.
  await Promise.all(cast.everyone.map((c) => c.barrier()));
  const before = structuredClone(hub.state(cast.meeting.meetingId));
  const joinCodeBefore = cast.leader.view.joinCode;
  const snapshotsBefore = cast.everyone.map((c) => c.states.length);

  for (const client of who) {
    for (const command of commands) {
      const ack = await client.command(command);
      expect(ack, `${command.type} by ${client.label}`).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    }
  }

  // Nothing changed: the stored state, the join code, and nobody got a new snapshot.
  expect(hub.state(cast.meeting.meetingId)).toEqual(before);
  expect(
    (await cast.fx.storage.loadLiveMeetings()).find((m) => m.state.id === cast.meeting.meetingId)?.state,
  ).toEqual(before);
  await Promise.all(cast.everyone.map((c) => c.barrier()));
  expect(cast.everyone.map((c) => c.states.length)).toEqual(snapshotsBefore);
  expect(cast.leader.view.joinCode).toBe(joinCodeBefore);
}

describe('the permission table (ROLE-1): leader commands from anyone else are refused', () => {
  it('ROLE-1, API-9: refuses every command from a participant, the presenter, an observer and the projector while running', async () => {
    // 33 leaders' commands from each seat are more than one window's command budget (LIMIT-2).
    const fx = await startServer({ unlimited: true });
    const cast = await startCast(fx);
    expect(
      await cast.leader.command({ type: 'presenter:set', caseIndex: 0, seatId: cast.presenter.seatId }),
    ).toEqual({ ok: true });
    expect(await cast.leader.command({ type: 'meeting:start' })).toEqual({ ok: true });
    expect(await cast.leader.command({ type: 'timer:pause' })).toEqual({ ok: true });
    await cast.presenter.waitFor((v) => v.status === 'running' && v.you.effectiveRole === 'presenter');

    const commands = leaderCommands(cast);
    expect(commands).toHaveLength(39);
    await refusedEverything(cast, [cast.alice, cast.presenter, cast.observer, cast.projector], commands);

    // The same commands are valid for a leader: the refusals were about who, not what.
    expect(await cast.leader.command({ type: 'timer:resume' })).toEqual({ ok: true });
    expect(await cast.leader.command({ type: 'timer:adjust', minutes: 5 })).toEqual({ ok: true });
  });

  it('ROLE-1: refuses them in the lobby too, and from a seat still in the waiting list', async () => {
    const fx = await startServer({ unlimited: true });
    const cast = await startCast(fx);
    expect(await cast.leader.command({ type: 'settings:update', locked: true })).toEqual({ ok: true });
    const waitingSeat = await fx.api.join(cast.meeting.joinCode, 'Walter Wartend');
    const waiting = await fx.connect(waitingSeat.token, 'waiting');
    // Presence snapshots are coalesced (a short while after the connect): wait for the one that
    // shows the waiting seat connected, so that no snapshot is still on its way.
    await cast.leader.waitFor(
      (v) => v.waiting?.length === 1 && (v.connections?.[waitingSeat.seatId] ?? 0) > 0,
    );

    const commands = leaderCommands(cast);
    await refusedEverything(cast, [cast.alice, cast.observer, cast.projector, waiting], commands);
  });

  it('ROLE-1, ROLE-3, VIEW-8: a co-leader may, and loses the right when set back to participant', async () => {
    const fx = await startServer();
    const cast = await startCast(fx);
    const promote = { type: 'seat:setRole', seatId: cast.coLeader.seatId, role: 'co-leader' } as const;
    expect(await cast.leader.command(promote)).toEqual({ ok: true });
    expect(await cast.coLeader.command({ type: 'meeting:start' })).toEqual({ ok: true });
    expect(
      await cast.coLeader.command({ type: 'seat:setRole', seatId: cast.bob.seatId, role: 'observer' }),
    ).toEqual({ ok: true });

    expect(cast.coLeader.view.waiting).toEqual([]);
    const demote = { type: 'seat:setRole', seatId: cast.coLeader.seatId, role: 'participant' } as const;
    const demoted = cast.coLeader.nextState((v) => v.you.role === 'participant');
    expect(await cast.leader.command(demote)).toEqual({ ok: true });
    // VIEW-8: the leader fields leave the demoted seat's very next view.
    const view = await demoted;
    for (const key of ['waiting', 'connections', 'projectedEndAt', 'joinCode', 'timer']) {
      expect(Object.keys(view)).not.toContain(key);
    }
    expect(await cast.coLeader.command({ type: 'phase:next' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    // Nobody can take the leader's seat or role.
    expect(await cast.leader.command({ type: 'seat:remove', seatId: cast.leader.seatId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(
      await cast.leader.command({ type: 'seat:setRole', seatId: cast.projector.seatId, role: 'co-leader' }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it("ROLE-1: a leader of one meeting cannot reach into another meeting's seats or phases", async () => {
    const fx = await startServer();
    const cast = await startCast(fx);
    const other = await fx.api.createMeeting({ leaderName: 'Other Leader' });
    const otherSeat = await fx.api.join(other.joinCode, 'Other Member');
    const otherLeader = await fx.connect(other.leaderToken, 'other leader');
    const before = structuredClone(fx.app.hub.state(other.meetingId));
    const reach = [
      { type: 'seat:remove', seatId: otherSeat.seatId },
      { type: 'seat:setRole', seatId: otherSeat.seatId, role: 'co-leader' },
      { type: 'presenter:set', caseIndex: 0, seatId: otherSeat.seatId },
      { type: 'seat:admit', seatId: otherLeader.seatId },
    ] as const;
    for (const command of reach) {
      expect(await cast.leader.command(command), command.type).toMatchObject({
        ok: false,
        error: { code: 'no-such-seat' },
      });
    }
    expect(fx.app.hub.state(other.meetingId)).toEqual(before);
    // Nothing of this meeting ever reached the other one's leader.
    for (const name of ['Lena', 'Alma', 'Otto'])
      expect(otherLeader.allJson().includes(name), name).toBe(false);
    expect(otherLeader.allJson().includes(cast.meeting.meetingId)).toBe(false);
  });
});
