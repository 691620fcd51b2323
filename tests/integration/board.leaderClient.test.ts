/**
 * WIRE-4, with the console's own board module (client/src/connection/leaderBoard.ts) against a
 * real server: when the server refuses a leader's write, the client throws its copy away, syncs
 * a fresh one, and names the changes that were lost; it does not send them again.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { EMPTY_BOARD, type BoardSnapshot } from '../../client/src/connection/boardShape';
import { openLeaderBoard, type BoardChange } from '../../client/src/connection/leaderBoard';
import { createStore, type Store } from '../../client/src/connection/store';
import { MAX_THEMES, readBoard } from '../../shared/board/schema';
import {
  goToPhase,
  guarded,
  noteSecret,
  startBoardCast,
  startBoardServer,
  type RecordingClient,
} from '../helpers/board-fixture';

function until<T>(store: Store<T>, predicate: (value: T) => boolean, what: string): Promise<T> {
  return guarded<T>(what, (resolve) => {
    const check = () => {
      const value = store.get();
      if (!predicate(value)) return;
      unsubscribe();
      resolve(value);
    };
    const unsubscribe = store.subscribe(check);
    check();
  });
}

describe("the leader's board client (WIRE-4)", () => {
  it('WIRE-4: a refused change is dropped with its copy, a fresh board is synced, and the leader is told what was lost', async () => {
    const fx = await startBoardServer();
    const cast = await startBoardCast(fx);
    await goToPhase(cast.leader, 'speculation');
    // Three notes: a leader's release sends a batch of three or more (REL-4).
    const ids: string[] = [];
    for (const author of cast.members.slice(0, 3) as RecordingClient[]) {
      const added = await author.send<{ noteId: string }>('note:add', {
        secret: noteSecret(),
        kind: 'image',
        text: 'a note',
      });
      if (!added.ok) throw new Error(added.error.code);
      ids.push(added.value.noteId);
    }
    expect((await cast.leader.send('board:release', {})).ok).toBe(true);
    const noteId = ids[0] as string;
    const reader = fx.openBoard(cast.projector.token, cast.meetingId, 0, 'projector');

    const store = createStore<BoardSnapshot>(EMPTY_BOARD);
    const lb = openLeaderBoard(cast.meetingId, 0, cast.leader.token, store, {
      origin: fx.url.replace(/^http/, 'ws'),
      WebSocketPolyfill: WebSocket,
    });
    onTestFinished(() => lb.close());
    await until(store, (b) => b.synced && b.notes.length === 3, 'the leader synced');

    // The board takes MAX_THEMES themes: all arrive.
    for (let i = 0; i < MAX_THEMES; i++) lb.editor.saveTheme(`Theme ${i + 1}`);
    await reader.until((d) => readBoard(d).themes.length === MAX_THEMES, 'all themes');
    // One more (two leaders racing for the last place would do the same), and a move right after.
    const extra = lb.editor.saveTheme('One theme too many');
    lb.editor.layout(noteId, { x: 444 });

    const lost = await until(lb.lost, (l) => l.length > 0, 'the lost changes');
    expect(lost).toEqual<BoardChange[]>([
      { kind: 'theme', themeId: extra, name: 'One theme too many' },
      { kind: 'layout', noteId, change: { x: 444 } },
    ]);
    // The fresh copy is the server's: neither change is in it, and nothing resends them.
    const fresh = await until(store, (b) => b.synced, 'the fresh copy');
    expect(fresh.themes).toHaveLength(MAX_THEMES);
    expect(fresh.themes.some((t) => t.id === extra)).toBe(false);
    expect(fresh.notes.find((n) => n.id === noteId)?.x).not.toBe(444);

    // The board still works: the next move is stored and relayed, and lost nothing more.
    lb.editor.layout(noteId, { highlight: true });
    await reader.until(
      (d) => readBoard(d).notes.find((n) => n.id === noteId)?.highlight === true,
      'the next move',
    );
    expect(readBoard(reader.doc).themes.some((t) => t.id === extra)).toBe(false);
    expect(lb.lost.get()).toHaveLength(2);
  });
});
