/**
 * DISK-13: where a leader put a note is as durable as the note. A released note is given a theme
 * and a highlight, then hidden; the server is killed with SIGKILL and started again on the same
 * data folder; shown again, the note comes back with its theme and highlight.
 */
import { describe, expect, it } from 'vitest';
import { readBoard, setNoteLayout, setTheme } from '../../shared/board/schema';
import { goToPhase, noteSecret, type RecordingClient } from '../helpers/board-fixture';
import { envFor } from '../helpers/confidential';
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
  it(
    'DISK-13: a hidden note shown after a SIGKILL restart comes back with its theme and highlight',
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
      setNoteLayout(board.doc, noteId, { theme: THEME_ID, highlight: true });
      // Seen by another copy: the server has stored the leader's layout before the hide.
      const watch = env.openBoard(members[1]?.token ?? null, m.meetingId, 0, 'member board');
      await watch.until(
        (d) => readBoard(d).notes.some((n) => n.id === noteId && n.theme === THEME_ID && n.highlight),
        "the leader's layout",
      );
      expect(await leader.send('note:moderate', { noteId, action: 'hide' })).toEqual({ ok: true });
      await board.until((d) => !readBoard(d).notes.some((n) => n.id === noteId), 'the note hidden');

      await first.stop('SIGKILL');
      board.destroy();
      watch.destroy();
      for (const c of [leader, ...members]) c.socket.close();
      const second = await spawnServer({ dataDir, port: first.port });
      const env2 = envFor(second.url);
      const leader2 = await env2.connect(m.leaderToken, 'leader again');
      expect(await leader2.send('note:moderate', { noteId, action: 'show' })).toEqual({ ok: true });
      const board2 = env2.openBoard(m.leaderToken, m.meetingId, 0, 'leader board again');
      await board2.synced();
      const shown = readBoard(board2.doc).notes.find((n) => n.id === noteId);
      expect({ theme: shown?.theme, highlight: shown?.highlight }).toEqual({
        theme: THEME_ID,
        highlight: true,
      });
    },
    PROCESS_TEST_MS,
  );
});
