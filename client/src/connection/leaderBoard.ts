/**
 * Leaders' consoles only: the board with the right to arrange it. A separate door from
 * `connection/index.ts`, because the writers come with the board's zod schema, which a phone
 * joining the meeting should not download.
 */
import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import {
  newThemeId,
  readTheme,
  removeTheme,
  setNoteLayout,
  setTheme,
  themesMap,
} from '../../../shared/board/schema';
import { BoardSession, boardStoreFor, type BoardSessionOptions, type BoardSnapshot } from './board';
import { EMPTY_BOARD } from './boardShape';
import { ChangeLedger, type BoardChange, type LayoutChange } from './changeLedger';
import { useConnection } from './hooks';
import { createStore, type Store } from './store';

export type { BoardChange, LayoutChange } from './changeLedger';

/** What a leader can change on the board: layout fields of notes, and the themes. */
export interface BoardEditor {
  layout(noteId: string, change: LayoutChange): void;
  /** Creates a theme (no id) or renames one; returns its id. */
  saveTheme(name: string, themeId?: string): string;
  /** Deletes a theme; its notes stay on the board without a theme. */
  deleteTheme(themeId: string): void;
}

export interface LeaderBoard {
  editor: BoardEditor;
  /** Changes the server refused (WIRE-4), to tell the leader; empty once dismissed. */
  lost: Store<readonly BoardChange[]>;
  close(): void;
}

const NOTHING_LOST: readonly BoardChange[] = [];

/**
 * One case's board as a leader holds it: the same stock provider as everyone's, whose local
 * changes the server checks (layout fields and themes only) before it stores and relays them.
 * Every change is recorded with the copy it was made on; when a refused copy has been replaced
 * by a fresh one, the changes the fresh one lacks are published in `lost`.
 */
export function openLeaderBoard(
  meetingId: string,
  caseIndex: number,
  token: string,
  store: Store<BoardSnapshot>,
  opts: Pick<BoardSessionOptions, 'origin' | 'WebSocketPolyfill'> = {},
): LeaderBoard {
  const ledger = new ChangeLedger();
  const lost = createStore<readonly BoardChange[]>(NOTHING_LOST);
  const session = new BoardSession(meetingId, caseIndex, token, store, {
    ...opts,
    onSynced(doc) {
      const refused = ledger.settle(doc);
      if (refused.length > 0) lost.set([...lost.get(), ...refused]);
    },
  });
  const change = (c: BoardChange, apply: (doc: BoardSession['doc']) => void) => {
    const doc = session.doc;
    ledger.record(doc, c);
    apply(doc);
  };
  const editor: BoardEditor = {
    layout(noteId, layout) {
      change({ kind: 'layout', noteId, change: layout }, (doc) => setNoteLayout(doc, noteId, layout));
    },
    saveTheme(name, themeId) {
      const id = themeId ?? newThemeId();
      change({ kind: 'theme', themeId: id, name }, (doc) => setTheme(doc, id, name));
      return id;
    },
    deleteTheme(themeId) {
      const name = readTheme(themeId, themesMap(session.doc).get(themeId))?.name ?? '';
      change({ kind: 'deleteTheme', themeId, name }, (doc) => removeTheme(doc, themeId));
    },
  };
  return { editor, lost, close: () => session.close() };
}

/** The board of `caseIndex` while `enabled`, its editor, and the changes the server refused. */
export function useLeaderBoard(
  caseIndex: number,
  enabled: boolean,
): { board: BoardSnapshot; editor: BoardEditor; lost: readonly BoardChange[]; dismissLost: () => void } {
  const connection = useConnection();
  const store = boardStoreFor(connection, caseIndex);
  const current = useRef<LeaderBoard | null>(null);
  const lostStore = useMemo(() => createStore<readonly BoardChange[]>(NOTHING_LOST), []);
  useEffect(() => {
    if (!enabled) return;
    const lb = openLeaderBoard(connection.meetingId, caseIndex, connection.token, store);
    current.current = lb;
    const unsubscribe = lb.lost.subscribe(() => lostStore.set(lb.lost.get()));
    return () => {
      unsubscribe();
      lb.close();
      if (current.current === lb) current.current = null;
      store.set(EMPTY_BOARD);
      lostStore.set(NOTHING_LOST);
    };
  }, [connection, caseIndex, enabled, store, lostStore]);
  const editor = useMemo<BoardEditor>(
    () => ({
      layout: (noteId, change) => current.current?.editor.layout(noteId, change),
      saveTheme: (name, themeId) =>
        current.current?.editor.saveTheme(name, themeId) ?? themeId ?? newThemeId(),
      deleteTheme: (themeId) => current.current?.editor.deleteTheme(themeId),
    }),
    [],
  );
  const snapshot = useSyncExternalStore(store.subscribe, store.get);
  const lost = useSyncExternalStore(lostStore.subscribe, lostStore.get);
  const dismissLost = () => {
    current.current?.lost.set(NOTHING_LOST);
    lostStore.set(NOTHING_LOST);
  };
  return {
    board: enabled ? snapshot : EMPTY_BOARD,
    editor,
    lost: enabled ? lost : NOTHING_LOST,
    dismissLost,
  };
}
