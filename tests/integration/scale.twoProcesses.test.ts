/**
 * One meeting served by two server processes at once (SCALE-16, SCALE-17, SCALE-18): real child
 * processes on one real PostgreSQL and one real Redis, the leader connected to one, a member and
 * the presenter to the other, as a balancer's sticky sessions would spread them.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BOARD_CLOSE } from '../../shared/board/closeCodes';
import { readBoard, setTheme } from '../../shared/board/schema';
import type { MeetingView } from '../../shared/meeting/view';
import type { RecordingClient } from '../helpers/board-fixture';
import { envFor } from '../helpers/confidential';
import { pollUntil } from '../helpers/poll';
import { nextEvent } from '../helpers/server-fixture';
import { spawnServer, tempDataDir } from '../helpers/server-process';
import { startPostgres, startRedis } from '../helpers/services';

const TEST_MS = 120_000;

const phaseKind = (v: MeetingView) => (v.currentIndex === null ? null : v.phases[v.currentIndex]?.kind);

async function jumpTo(leader: RecordingClient, kind: string) {
  const phase = leader.view.phases.find((p) => p.kind === kind);
  if (!phase) throw new Error(`no ${kind} phase`);
  expect(await leader.run({ type: 'phase:jump', phaseId: phase.id })).toEqual({ ok: true });
}

describe('one meeting on two processes (PostgreSQL and Redis)', () => {
  it(
    'SCALE-16, SCALE-17, SCALE-18, SCALE-20, SCALE-21, SCALE-22, SCALE-23: commands, views, presence, notes and the board cross between the processes; the seat caps (sockets and boards) and the note share hold across them; a retry is applied once; the end closes everything on both',
    async () => {
      const [pgServer, redis] = await Promise.all([startPostgres(), startRedis()]);
      const databaseUrl = await pgServer.createDatabase('two_processes');
      // One data folder for the key file, as the processes of one host share it (CONF-4).
      const dataDir = tempDataDir();
      const env = { DATABASE_URL: databaseUrl, REDIS_URL: redis.url };
      const a = await spawnServer({ dataDir, env });
      const b = await spawnServer({ dataDir, env });
      const onA = envFor(a.url);
      const onB = envFor(b.url);

      // Created on A: B learns of it when its first client authenticates (loaded on demand).
      const m = await onA.api.createMeeting({
        title: 'Across',
        anonymity: 'anonymous',
        templateId: 'step-back-30',
      });
      const leader = await onA.connect(m.leaderToken, 'leader on A');
      const member = await onB.connect((await onB.api.join(m.joinCode, 'Member')).token, 'member on B');
      const presenter = await onB.connect(
        (await onB.api.join(m.joinCode, 'Presenter')).token,
        'presenter on B',
      );
      await leader.waitFor((v) => v.seats?.length === 3);
      // SCALE-20: presence counts every process's connections, on either side.
      await leader.waitFor((v) => v.presence.connected === 3);
      await member.waitFor((v) => v.presence.connected === 3);

      // LIMIT-4 across processes: a seat's fifth connection, wherever it is, closes its oldest.
      const extraToken = (await onA.api.join(m.joinCode, 'Extra')).token;
      const extra = [await onA.connect(extraToken, 'extra 1 on A')];
      const closedOldest = nextEvent<[{ code: string }]>(extra[0]!.socket, 'connection:closed');
      for (const [i, env] of [onB, onA, onB, onA].entries()) {
        extra.push(await env.connect(extraToken, `extra ${i + 2}`));
      }
      expect((await closedOldest)[0].code).toBe('limit-reached');
      for (const c of extra.slice(1)) expect(c.socket.connected).toBe(true);
      for (const c of extra) c.close();
      await leader.waitFor((v) => v.presence.connected === 3);
      expect(await leader.run({ type: 'presenter:set', caseIndex: 0, seatId: presenter.seatId })).toEqual({
        ok: true,
      });

      // A command on A reaches B's sockets as a newer view, never an older one after it.
      expect(await leader.run({ type: 'meeting:start' })).toEqual({ ok: true });
      await member.waitFor((v) => v.status === 'running');
      await jumpTo(leader, 'speculation');
      await member.waitFor((v) => phaseKind(v) === 'speculation');
      // Never an older view after a newer one: the phase only moves forward on B's sockets.
      const indexes = member.states.map((v) => v.currentIndex ?? -1);
      expect(indexes).toEqual([...indexes].sort((x, y) => x - y));

      // A retry with the same command id, sent to the other process, is applied once.
      const commandId = randomUUID();
      const pausedOnA = await leader.command({ type: 'timer:pause' }, commandId);
      expect(pausedOnA).toEqual({ ok: true });
      const leaderOnB = await onB.connect(m.leaderToken, 'leader on B');
      expect(await leaderOnB.command({ type: 'timer:pause' }, commandId)).toEqual({ ok: true });
      // Not applied twice: a second pause would have been refused as "already paused".
      expect(await leaderOnB.command({ type: 'timer:resume' })).toEqual({ ok: true });
      await leader.waitFor((v) => v.timer?.state === 'running');

      // Notes added on B, released by the leader on A: the boards of both processes show them.
      const boardOnA = onA.openBoard(m.leaderToken, m.meetingId, 0, 'leader board on A');
      const boardOnB = onB.openBoard(presenter.token, m.meetingId, 0, 'presenter board on B');
      await Promise.all([boardOnA.synced(), boardOnB.synced()]);
      for (const text of ['a heavy silence', 'the patient as a child', 'anger at the family']) {
        const ack = await member.send('note:add', {
          secret: randomUUID().replace(/-/g, ''),
          kind: 'association',
          text,
        });
        expect(ack.ok).toBe(true);
      }
      expect((await leader.send('board:release', {})).ok).toBe(true);
      await boardOnA.until((d) => readBoard(d).notes.length === 3, 'the batch on A');
      await boardOnB.until((d) => readBoard(d).notes.length === 3, 'the batch on B');

      // A leader's arrangement on B (its copy of the board) reaches A's board.
      const leaderBoardOnB = onB.openBoard(m.leaderToken, m.meetingId, 0, 'leader board on B');
      await leaderBoardOnB.synced();
      expect(readBoard(leaderBoardOnB.doc).notes).toHaveLength(3);
      setTheme(leaderBoardOnB.doc, 'theme-across', 'Helplessness');
      await boardOnA.until((d) => readBoard(d).themes.length === 1, 'the theme from B on A');
      await boardOnB.until((d) => readBoard(d).themes.length === 1, 'the theme on B');

      // SCALE-22: LIMIT-4 for boards across processes: a seat's fifth connection to a case board,
      // wherever it is, closes its oldest, and only that one.
      const memberBoards = [];
      for (const [i, env] of [onB, onA, onB, onA, onB].entries()) {
        const board = env.openBoard(member.token, m.meetingId, 0, `member board ${i + 1}`);
        await board.synced();
        memberBoards.push(board);
      }
      expect((await memberBoards[0]!.closed()).code).toBe(BOARD_CLOSE.SUPERSEDED);
      // The others still follow the board: a theme set on A reaches every one of them.
      setTheme(boardOnA.doc, 'theme-cap', 'Guilt');
      for (const board of memberBoards.slice(1))
        await board.until((d) => readBoard(d).themes.length === 2, `${board.label}: the theme`);
      for (const board of memberBoards.slice(1)) expect(board.closes).toEqual([]);
      for (const board of memberBoards) board.destroy();

      // SCALE-21: a note hidden by the leader on B is in the leader's own view of notes on A.
      const hiddenNote = readBoard(boardOnA.doc).notes[0]?.id as string;
      expect(await leaderOnB.sendRaw('note:moderate', { noteId: hiddenNote, action: 'hide' })).toEqual({
        ok: true,
      });
      await pollUntil(
        () =>
          leader.received.some(
            (r) =>
              r.event === 'board:leader' &&
              (JSON.parse(r.json) as [{ hidden: { noteId: string }[] }])[0].hidden.some(
                (n) => n.noteId === hiddenNote,
              ),
          ),
        10_000,
        'the hidden note in the leader view on A',
      );
      await boardOnB.until((d) => readBoard(d).notes.length === 2, 'the hidden note gone from B');

      // SCALE-23: LIMIT-5 across processes: the member's share of the case (40 notes, 3 written
      // above) is one share whichever process each note reaches.
      const memberOnA = await onA.connect(member.token, 'member on A');
      const addNote = (client: typeof member, text: string) =>
        client.send('note:add', { secret: randomUUID().replace(/-/g, ''), kind: 'association', text });
      for (let i = 0; i < 37; i++) {
        const ack = await addNote(i % 2 === 0 ? memberOnA : member, `note ${i} of the share`);
        expect(ack.ok, `note ${i}`).toBe(true);
      }
      for (const client of [memberOnA, member]) {
        const ack = await addNote(client, 'one past the share');
        expect(ack).toMatchObject({ ok: false, error: { code: 'limit-reached' } });
      }
      memberOnA.close();

      // The end on A: B's sockets are told and disconnected, B's boards closed for good.
      const memberGone = nextEvent(member.socket, 'disconnect');
      const boardClosed = boardOnB.closed(boardOnB.closes.length);
      expect(await leader.run({ type: 'meeting:end' })).toEqual({ ok: true });
      await memberGone;
      expect((await boardClosed).code).toBe(BOARD_CLOSE.MEETING_ENDED);
      // B holds nothing of it any more, and refuses its tokens.
      const health = (await fetch(`${b.url}/healthz`).then((r) => r.json())) as { meetings: number };
      expect(health.meetings).toBe(0);
      expect((await onB.api.request('POST', '/api/join', { code: m.joinCode, name: 'Late' })).status).toBe(
        404,
      );

      await Promise.all([a.stop('SIGTERM'), b.stop('SIGTERM')]);
    },
    TEST_MS,
  );
});
