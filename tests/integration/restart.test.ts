/**
 * The server as a real child process: killed with SIGKILL in the middle of a running phase and
 * started again on the same data folder and port, the meeting, its seats and its deadline are
 * back, the very same socket.io-client sockets reconnect by themselves, and the countdown has
 * gone on while the server was down. SIGTERM drains and exits with code 0.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import type { MeetingView } from '../../shared/meeting/view';
import {
  Api,
  connectClient,
  MIN,
  nextEvent,
  refusedHandshake,
  type ConnectOptions,
  type TestClient,
} from '../helpers/server-fixture';
import { spawnServer, tempDataDir } from '../helpers/server-process';

/** Each restart test starts two or three processes; tsx compiles at start-up. */
const RESTART_TEST_MS = 90_000;
/** Waiting for clients across a restart includes the start-up of a process: a guard, not a sleep. */
const ACROSS_RESTART_MS = 30_000;

async function connect(
  url: string,
  token: string,
  label: string,
  opts: ConnectOptions = {},
): Promise<TestClient> {
  const client = await connectClient(url, token, label, { reconnection: true, ...opts });
  onTestFinished(() => client.close());
  return client;
}

function seatsOf(v: MeetingView) {
  return (v.seats ?? []).map(({ id, name, role, effectiveRole }) => ({ id, name, role, effectiveRole }));
}

describe('restart after SIGKILL (DUR-1, DUR-3, TIME-6)', () => {
  it(
    'DUR-3, DUR-2: brings back meeting, seats and deadline; the same sockets reconnect; the countdown went on',
    async () => {
      const dataDir = tempDataDir();
      const first = await spawnServer({ dataDir });
      const api = new Api(first.url);
      const m = await api.createMeeting({
        templateId: 'step-back-30',
        title: 'Killed mid-phase',
        leaderName: 'Lea',
      });
      const pia = await api.join(m.joinCode, 'Pia Presenter');
      const olaf = await api.join(m.joinCode, 'Olaf Observer', 'observer');
      const screen = await api.claimProjector(m.meetingId, m.projectorKey);
      const leader = await connect(first.url, m.leaderToken, 'leader');
      const presenter = await connect(first.url, pia.token, 'presenter');
      const observer = await connect(first.url, olaf.token, 'observer');
      const projector = await connect(first.url, screen.token, 'projector');
      const clients = [leader, presenter, observer, projector];
      const sockets = clients.map((c) => c.socket);

      expect(await leader.command({ type: 'presenter:set', caseIndex: 0, seatId: pia.seatId })).toEqual({
        ok: true,
      });
      expect(await leader.command({ type: 'meeting:start' })).toEqual({ ok: true });
      expect(await leader.command({ type: 'timer:adjust', minutes: 1 }, 'adjust-before-the-kill')).toEqual({
        ok: true,
      });
      expect(await leader.command({ type: 'phase:next' })).toEqual({ ok: true });
      await Promise.all(
        clients.map((c) => c.waitFor((v) => v.currentIndex === 1 && v.presence.connected === 4)),
      );
      const before = leader.view;
      const beforeTimer = before.timer;
      if (beforeTimer?.state !== 'running' || beforeTimer.endsAt === null) throw new Error('a running phase');

      // Kill mid-phase: no drain, no checkpoint, no goodbye to the clients.
      const dropped = clients.map((c) => nextEvent<[string]>(c.socket, 'disconnect', ACROSS_RESTART_MS));
      const killedAt = Date.now();
      expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      for (const [reason] of await Promise.all(dropped)) expect(reason).toBe('transport close');

      const reconnected = clients.map((c) => nextEvent(c.socket.io, 'reconnect', ACROSS_RESTART_MS));
      const fresh = clients.map((c) => c.nextState(undefined, ACROSS_RESTART_MS));
      const second = await spawnServer({ dataDir, port: first.port });
      expect(second.url).toBe(first.url);
      await Promise.all(reconnected);
      const after = await Promise.all(fresh);
      const [leaderAfter, presenterAfter, observerAfter, projectorAfter] = after as [
        MeetingView,
        MeetingView,
        MeetingView,
        MeetingView,
      ];

      // The very same socket objects, connected again, each with a fresh snapshot.
      clients.forEach((c, i) => {
        expect(c.socket).toBe(sockets[i]);
        expect(c.socket.connected).toBe(true);
      });
      expect(projectorAfter.you.role).toBe('projector');
      expect(presenterAfter.you).toMatchObject({ seatId: pia.seatId, effectiveRole: 'presenter' });
      expect(observerAfter.you.role).toBe('observer');

      // The meeting, its seats and its deadline are back: endsAt identical to the millisecond.
      expect(leaderAfter).toMatchObject({
        meetingId: m.meetingId,
        title: 'Killed mid-phase',
        status: 'running',
        currentIndex: 1,
        phases: before.phases,
        cases: before.cases,
        timer: beforeTimer,
        joinCode: m.joinCode,
      });
      expect(seatsOf(leaderAfter)).toEqual(seatsOf(before));
      expect(projectorAfter.timer).toEqual(beforeTimer);

      // The countdown went on while the server was down: the time that passed has passed.
      expect(leaderAfter.serverNow).toBeGreaterThanOrEqual(killedAt);
      const remainingBefore = beforeTimer.endsAt - before.serverNow;
      const remainingAfter = beforeTimer.endsAt - leaderAfter.serverNow;
      expect(remainingAfter).toBeLessThan(remainingBefore);
      expect(remainingAfter).toBeGreaterThan(0);
      expect(remainingBefore - remainingAfter).toBeGreaterThanOrEqual(leaderAfter.serverNow - killedAt);

      // Command ids survived too: the retry of an acknowledged command is not applied again.
      expect(await leader.command({ type: 'timer:adjust', minutes: 1 }, 'adjust-before-the-kill')).toEqual({
        ok: true,
      });
      await leader.barrier();
      expect(leader.view.timer?.endsAt).toBe(beforeTimer.endsAt);

      // And the meeting goes on for everyone.
      const paused = clients.map((c) => c.nextState((v) => v.serverNow > leaderAfter.serverNow));
      expect(await leader.command({ type: 'timer:pause' })).toEqual({ ok: true });
      await Promise.all(paused);
      expect(leader.view.timer?.state).toBe('paused');
      // The projector still never sees a name.
      for (const name of ['Lea', 'Pia Presenter', 'Olaf Observer']) {
        expect(projector.allJson().includes(`"${name}"`), name).toBe(false);
      }
    },
    RESTART_TEST_MS,
  );

  it(
    'DUR-3, TIME-6: with auto-advance, down across a 1-minute deadline: the next phase started at the old deadline',
    async () => {
      const dataDir = tempDataDir();
      const first = await spawnServer({ dataDir });
      const api = new Api(first.url);
      const m = await api.createMeeting({ templateId: 'step-back-30', autoAdvance: true });
      const leader = await connect(first.url, m.leaderToken, 'leader');
      const [p1, p2] = leader.view.phases;
      if (!p1 || !p2) throw new Error('the template has phases');
      expect(await leader.command({ type: 'phase:setDuration', phaseId: p1.id, minutes: 1 })).toEqual({
        ok: true,
      });
      expect(await leader.command({ type: 'meeting:start' })).toEqual({ ok: true });
      const deadline = leader.view.timer?.endsAt as number;
      expect(deadline - (leader.view.timer?.startedAt as number)).toBe(MIN);

      expect(await first.stop('SIGKILL')).toMatchObject({ signal: 'SIGKILL' });
      // The server comes back 90 s later by its own clock: the 1-minute deadline passed while it was down.
      const fresh = leader.nextState(undefined, ACROSS_RESTART_MS);
      const second = await spawnServer({ dataDir, port: first.port, clockShiftMs: 90_000 });
      const after = await fresh;
      expect(after.serverNow).toBeGreaterThan(deadline);
      expect(after.currentIndex).toBe(1);
      expect(after.timer).toEqual({
        state: 'running',
        startedAt: deadline,
        endsAt: deadline + p2.plannedMs,
        remainingMs: null,
      });
      expect(second.output()).toContain('"event":"command.applied"');
    },
    RESTART_TEST_MS,
  );
});

describe('SIGTERM (DUR-4)', () => {
  it(
    'DUR-4, DUR-3: drains, stores what was acknowledged, exits with code 0; the next start has it all',
    async () => {
      const dataDir = tempDataDir();
      const first = await spawnServer({ dataDir });
      const api = new Api(first.url);
      const m = await api.createMeeting({ title: 'Drained' });
      const seat = await api.join(m.joinCode, 'Dora');
      const leader = await connect(first.url, m.leaderToken, 'leader');
      const member = await connect(first.url, seat.token, 'member');
      expect(await leader.command({ type: 'meeting:start' })).toEqual({ ok: true });
      expect(await leader.command({ type: 'timer:adjust', minutes: 7 })).toEqual({ ok: true });
      const endsAt = leader.view.timer?.endsAt;

      const dropped = [leader, member].map((c) => nextEvent(c.socket, 'disconnect', ACROSS_RESTART_MS));
      expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      await Promise.all(dropped);
      expect(first.output()).toContain('"event":"server.draining"');
      expect(first.output()).toContain('"event":"server.closed"');

      const fresh = [leader, member].map((c) => c.nextState(undefined, ACROSS_RESTART_MS));
      const second = await spawnServer({ dataDir, port: first.port });
      const [leaderAfter, memberAfter] = await Promise.all(fresh);
      expect(leaderAfter).toMatchObject({ status: 'running', title: 'Drained', timer: { endsAt } });
      expect(memberAfter?.you.name).toBe('Dora');

      // A meeting ended before the restart stays ended: its tokens do not come back.
      expect(await leader.command({ type: 'meeting:end' })).toEqual({ ok: true });
      expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      const third = await spawnServer({ dataDir, port: first.port });
      expect(
        await refusedHandshake(third.url, { token: m.leaderToken, protocolVersion: PROTOCOL_VERSION }),
      ).toBe('unauthenticated');
      expect((await new Api(third.url).request('GET', '/healthz')).body).toMatchObject({ meetings: 0 });
    },
    RESTART_TEST_MS,
  );
});
