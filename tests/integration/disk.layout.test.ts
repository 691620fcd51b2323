/**
 * DISK-13: where a leader put a note is as durable as the note. A released note is given a theme
 * and a highlight, then hidden; the server is killed with SIGKILL and started again on the same
 * data folder; shown again, the note comes back with its theme and highlight. The same for a note a
 * leader parked (BOARD-9): the parking lot survives the restart, and unparking puts it back.
 */
import { describe, expect, it } from 'vitest';
import { readBoard, setNoteLayout, setTheme } from '../../shared/board/schema';
import { goToPhase, noteSecret, type RecordingClient } from '../helpers/board-fixture';
import { envFor } from '../helpers/confidential';
import { pollUntil } from '../helpers/poll';
import { spawnServer, tempDataDir } from '../helpers/server-process';

const PROCESS_TEST_MS = 90_000;
const THEME_ID = 'theme-durable-aaaa';

async function add(author: RecordingClient, text: string): Promise<string> {
  const ack = await author.send<{ noteId: string }>('note:add', {
    secret: noteSecret(),
    kind: 'feeling',
    text,
  });
  if (!ack.ok) throw new Error(`note:add refused: ${ack.error.code}`);
  return ack.value.noteId;
}

describe('leaders layout across a restart (DISK-13)', () => {
  for (const [away, back] of [
    ['hide', 'show'],
    ['park', 'unpark'],
  ] as const) {
    it(
      `DISK-13, BOARD-9: a note a leader took off the board (${away}) and put back (${back}) after a SIGKILL restart comes back with its theme, highlight and place`,
      async () => {
        const dataDir = tempDataDir();
        const first = await spawnServer({ dataDir });
        const env = envFor(first.url);
        const m = await env.api.createMeeting({
          title: 'Layout',
          leaderName: 'Lea Leader',
          templateId: 'classic-90-two-cases',
        });
        const leader = await env.connect(m.leaderToken, 'leader');
        const members: RecordingClient[] = [];
        for (const name of ['Ann Member', 'Ben Member', 'Cai Member'])
          members.push(await env.connect((await env.api.join(m.joinCode, name)).token, name));
        await goToPhase(leader, 'speculation', 0);
        const board = env.openBoard(m.leaderToken, m.meetingId, 0, 'leader board');
        await board.synced();
        const ids = [];
        for (const [i, member] of members.entries()) ids.push(await add(member, `note ${i}`));
        const noteId = ids[0] as string;
        await leader.send('board:release', {});
        await board.until((d) => readBoard(d).notes.length === 3, 'the batch');
        setTheme(board.doc, THEME_ID, 'A theme');
        setNoteLayout(board.doc, noteId, { theme: THEME_ID, highlight: true, x: 31, y: 47 });
        // Seen by another copy: the server has stored the leader's layout before the hide.
        const watch = env.openBoard(members[1]?.token ?? null, m.meetingId, 0, 'member board');
        await watch.until(
          (d) => readBoard(d).notes.some((n) => n.id === noteId && n.theme === THEME_ID && n.highlight),
          "the leader's layout",
        );
        expect(await leader.send('note:moderate', { noteId, action: away })).toEqual({ ok: true });
        await board.until((d) => !readBoard(d).notes.some((n) => n.id === noteId), 'the note off the board');

        await first.stop('SIGKILL');
        board.destroy();
        watch.destroy();
        for (const c of [leader, ...members]) c.socket.close();
        const second = await spawnServer({ dataDir, port: first.port });
        const env2 = envFor(second.url);
        const leader2 = await env2.connect(m.leaderToken, 'leader again');
        // Its list (hidden, or the parking lot) is there again, from the stored row.
        const list = away === 'hide' ? 'hidden' : 'parked';
        await pollUntil(
          () =>
            leader2.received.some(
              (e) => e.event === 'board:leader' && e.json.includes(`"${list}":[{"noteId":"${noteId}"`),
            ),
          10_000,
          `the note in the ${list} list`,
        );
        expect(await leader2.send('note:moderate', { noteId, action: back })).toEqual({ ok: true });
        const board2 = env2.openBoard(m.leaderToken, m.meetingId, 0, 'leader board again');
        await board2.synced();
        const shown = readBoard(board2.doc).notes.find((n) => n.id === noteId);
        expect({ theme: shown?.theme, highlight: shown?.highlight, x: shown?.x, y: shown?.y }).toEqual({
          theme: THEME_ID,
          highlight: true,
          x: 31,
          y: 47,
        });
      },
      PROCESS_TEST_MS,
    );
  }
});
