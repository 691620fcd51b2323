/**
 * DESIGN 5 for the board: the server process is killed with SIGKILL while notes wait for their
 * batch and an edit waits too; started again on the same data folder and port, the board equals
 * the board before, the same stock providers reconnect by themselves without being refused and
 * without duplicates, and the waiting notes are still there to be released.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import * as Y from 'yjs';
import { readBoard, setNoteLayout, setTheme } from '../../shared/board/schema';
import { BOARD_PATH } from '../../shared/protocol';
import { BoardClient, noteSecret } from '../helpers/board-fixture';
import { Api, connectClient, type TestClient } from '../helpers/server-fixture';
import { spawnServer, tempDataDir } from '../helpers/server-process';

const RESTART_TEST_MS = 90_000;

async function socket(url: string, token: string, label: string): Promise<TestClient> {
  const client = await connectClient(url, token, label);
  onTestFinished(() => client.close());
  return client;
}

function openBoard(port: number, room: string, token: string, label: string): BoardClient {
  const b = new BoardClient(`ws://127.0.0.1:${port}${BOARD_PATH}`, room, token, label);
  onTestFinished(() => b.destroy());
  return b;
}

async function add(c: TestClient, text: string) {
  const secret = noteSecret();
  const ack = (await c.sendRaw('note:add', { secret, kind: 'feeling', text })) as {
    ok: boolean;
    value: { noteId: string; status: string };
  };
  if (!ack.ok) throw new Error('note:add refused');
  return { ...ack.value, secret };
}

describe('the board across a SIGKILL restart (DUR-1, BOARD-3)', () => {
  it(
    'acknowledged notes, waiting ones included, survive; the board after equals the board before',
    async () => {
      const dataDir = tempDataDir();
      const first = await spawnServer({ dataDir });
      const api = new Api(first.url);
      const m = await api.createMeeting({ templateId: 'step-back-30', leaderName: 'Lea' });
      const members = [];
      for (const name of ['Mara', 'Nils', 'Oona']) members.push(await api.join(m.joinCode, name));
      const leader = await socket(first.url, m.leaderToken, 'leader');
      const authors = await Promise.all(members.map((s, i) => socket(first.url, s.token, `member${i}`)));
      await leader.command({ type: 'meeting:start' });
      const speculation = leader.view.phases.find((p) => p.kind === 'speculation');
      await leader.command({ type: 'phase:jump', phaseId: speculation?.id ?? '' });

      const room = `${m.meetingId}/0`;
      const leadBoard = openBoard(first.port, room, m.leaderToken, 'leader-board');
      const reader = openBoard(first.port, room, members[0]?.token as string, 'reader-board');
      await Promise.all([leadBoard.synced(), reader.synced()]);

      // A released batch, then the leader arranges it.
      const released = [];
      for (const [i, a] of authors.entries()) released.push(await add(a, `released ${i}`));
      // Three wait: the leader sends them now rather than after the random delay (REL-4).
      expect(await leader.sendRaw('board:release', {})).toEqual({ ok: true });
      await reader.until((d) => readBoard(d).notes.length === 3, 'the first batch');
      setTheme(leadBoard.doc, 'theme-restart-1', 'Distance');
      setNoteLayout(leadBoard.doc, released[0]?.noteId as string, { theme: 'theme-restart-1', x: 5, y: 6 });
      await reader.until(
        (d) => readBoard(d).themes.length === 1 && readBoard(d).notes.some((n) => n.x === 5),
      );
      // Acknowledged, but waiting for their batch (two changes, fewer than three): a note and an edit.
      const waiting = await add(authors[0] as TestClient, 'waiting 0');
      expect(waiting.status).toBe('waiting');
      const edited = released[2] as { noteId: string; secret: string };
      expect(
        await authors[2]?.sendRaw('note:edit', {
          noteId: edited.noteId,
          secret: edited.secret,
          text: 'edited 2',
        }),
      ).toEqual({ ok: true });
      const before = Y.encodeStateAsUpdate(reader.doc);
      const boardBefore = readBoard(reader.doc);

      expect(await first.stop('SIGKILL')).toMatchObject({ signal: 'SIGKILL' });
      const second = await spawnServer({ dataDir, port: first.port });

      // The same providers reconnect by themselves; the read-only one is not refused.
      await Promise.all([leadBoard.synced(), reader.synced()]);
      const fresh = openBoard(second.port, room, m.leaderToken, 'fresh-board');
      await fresh.synced();
      expect(readBoard(fresh.doc)).toEqual(boardBefore);
      const beforeDoc = new Y.Doc();
      Y.applyUpdate(beforeDoc, before);
      expect(Y.equalSnapshots(Y.snapshot(fresh.doc), Y.snapshot(beforeDoc))).toBe(true);
      expect(readBoard(reader.doc)).toEqual(boardBefore);

      // The waiting changes are still waiting: two are too few for a leader's release (REL-4);
      // the phase end sends them out, once.
      const leader2 = await socket(second.url, m.leaderToken, 'leader-2');
      expect(await leader2.sendRaw('board:release', {})).toEqual({ ok: true });
      expect(readBoard(reader.doc).notes.some((n) => n.text === 'waiting 0')).toBe(false);
      const returnPhase = leader2.view.phases.find((p) => p.kind === 'return');
      expect(await leader2.command({ type: 'phase:jump', phaseId: returnPhase?.id ?? '' })).toEqual({
        ok: true,
      });
      await reader.until(
        (d) => readBoard(d).notes.some((n) => n.text === 'waiting 0'),
        'the waiting changes',
      );
      expect(
        readBoard(reader.doc)
          .notes.map((n) => n.text)
          .sort(),
      ).toEqual(['edited 2', 'released 0', 'released 1', 'waiting 0']);
      expect(reader.closes.some((c) => c.code >= 4400 && c.code < 4500)).toBe(false);
      await second.stop('SIGTERM');
    },
    RESTART_TEST_MS,
  );
});
