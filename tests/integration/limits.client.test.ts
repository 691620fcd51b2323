/**
 * The product client's own peak stays inside every budget (SPEC.md LIMIT-2): the real
 * MeetingConnection and MyNotes code of client/src/connection/, three tabs of one member
 * reconnecting with 20 queued notes (clock samples, note:mine), three leader tabs sending
 * commands, and a leader's stock board provider arranging 30 cards in a row, all at once,
 * without one `rate-limited`.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MeetingConnection } from '../../client/src/connection/MeetingConnection';
import { MyNotes, type MyNote } from '../../client/src/connection/myNotes';
import { meetingKey, saveJson } from '../../client/src/connection/seats';
import { silentLogger } from '../../server/core/logger';
import { memoryRateLimit } from '../../server/http/rateLimit';
import { Limits } from '../../server/limits/seatLimits';
import { ManualClock } from '../../server/core/clock';
import { readBoard } from '../../shared/board/schema';
import {
  goToPhase,
  guarded,
  noteSecret,
  startBoardCast,
  startBoardServer,
  waitForDoc,
} from '../helpers/board-fixture';

/** The browser's localStorage, shared by the tabs of one device. */
function installLocalStorage(): void {
  const items = new Map<string, string>();
  (globalThis as { localStorage?: unknown }).localStorage = {
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, String(v)),
    removeItem: (k: string) => void items.delete(k),
  };
}

function until(what: string, check: () => boolean, subscribe: (f: () => void) => () => void): Promise<void> {
  return guarded(what, (resolve) => {
    if (check()) return resolve(undefined);
    const off = subscribe(() => {
      if (!check()) return;
      off();
      resolve(undefined);
    });
  });
}

describe('the product client within its budgets (LIMIT-2)', () => {
  it('LIMIT-2: three tabs resending 20 queued notes, leader tabs and a leader arranging: no rate-limited', async () => {
    installLocalStorage();
    const clock = new ManualClock();
    const now = () => clock.now();
    const refusals: string[] = [];
    const limits = new Limits({
      now,
      logger: silentLogger,
      store: (b) => {
        const store = memoryRateLimit(b, now);
        return {
          async consume(key, cost) {
            const verdict = await store.consume(key, cost);
            if (!verdict.ok) refusals.push(`${b.points}`);
            return verdict;
          },
          block: (key, ms) => store.block(key, ms),
        };
      },
    });
    const fx = await startBoardServer({ clock, limits });
    const cast = await startBoardCast(fx, {}, 1);
    await goToPhase(cast.leader, 'speculation');
    const member = cast.members[0]!;

    // 20 notes written offline: queued as 'sending' in the device's storage.
    const queued: MyNote[] = Array.from({ length: 20 }, (_, i) => ({
      localId: `local${i}`,
      noteId: null,
      secret: noteSecret(),
      kind: 'feeling',
      text: `offline note ${i}`,
      status: 'sending',
      caseIndex: 0,
    }));
    saveJson(meetingKey('notes', cast.meetingId), queued);

    const tabs = [0, 1, 2].map(() => {
      const connection = new MeetingConnection(cast.meetingId, member.token, { url: fx.url });
      const notes = new MyNotes(connection);
      return { connection, notes };
    });
    const leaderTabs = [0, 1, 2].map(
      () => new MeetingConnection(cast.meetingId, cast.leader.token, { url: fx.url }),
    );
    const stops: (() => void)[] = [];
    for (const t of tabs) {
      t.connection.start();
      stops.push(t.notes.resume());
    }
    for (const l of leaderTabs) l.start();

    // The leader arranges released notes from a stock provider while the tabs reconnect.
    const board = fx.openBoard(cast.leader.token, cast.meetingId, 0, 'leader board');
    await board.synced();
    const commands = leaderTabs.flatMap((l) =>
      Array.from({ length: 10 }, (_, i) => l.command({ type: i % 2 === 0 ? 'timer:pause' : 'timer:resume' })),
    );
    try {
      for (const t of tabs) {
        await until(
          'all 20 notes acknowledged in each tab',
          () => t.notes.store.get().every((n) => n.noteId !== null && n.status !== 'failed'),
          (f) => t.notes.store.subscribe(f),
        );
      }
      await Promise.all(commands);
      // The notes wait for their random delay (REL-1); a leader's release sends them now.
      expect((await cast.leader.send('board:release', {})).ok).toBe(true);
      await waitForDoc(
        board.doc,
        (d) => readBoard(d).notes.length >= 18,
        'released notes on the leader board',
      );
      const notes = board.doc.getMap('notes');
      for (let i = 0; i < 30; i++) {
        board.doc.transact(() => {
          const id = [...notes.keys()][i % notes.size] as string;
          (notes.get(id) as Y.Map<unknown>).set('x', i * 10);
        });
      }
      const expected = Y.encodeStateVector(board.doc);
      await guarded('the server has every arrangement', (resolve) => {
        const check = async () => {
          const server = new Y.Doc();
          Y.applyUpdate(server, await fx.board.encodeBoard(cast.meetingId, 0));
          if (Buffer.from(Y.encodeStateVector(server)).equals(Buffer.from(expected))) resolve(undefined);
          else setImmediate(() => void check());
        };
        void check();
      });
      // Every tab's clock samples were answered with a number (a refusal would not be).
      for (const t of tabs) {
        await until(
          'clock measured',
          () => t.connection.clock.get().measured,
          (f) => t.connection.clock.subscribe(f),
        );
      }
      expect(await fx.storage.listNotes(cast.meetingId)).toHaveLength(20);
      expect(board.closes).toEqual([]);
      expect(refusals).toEqual([]);
    } finally {
      for (const stop of stops) stop();
      for (const t of tabs) t.connection.stop();
      for (const l of leaderTabs) l.stop();
    }
  });
});
