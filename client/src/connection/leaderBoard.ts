/**
 * Leaders' consoles only: the board with the right to arrange it. A separate door from
 * `connection/index.ts`, because the writers come with the board's zod schema, which a phone
 * joining the meeting should not download.
 */
import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import {
  newThemeId,
  removeTheme,
  setNoteLayout,
  setTheme,
  type LeaderNoteField,
  type NoteFields,
} from '../../../shared/board/schema';
import { BoardSession, boardStoreFor, type BoardSnapshot } from './board';
import { EMPTY_BOARD } from './boardShape';
import { useConnection } from './hooks';

export type LayoutChange = Partial<Pick<NoteFields, LeaderNoteField>>;

/** What a leader can change on the board: layout fields of notes, and the themes. */
export interface BoardEditor {
  layout(noteId: string, change: LayoutChange): void;
  /** Creates a theme (no id) or renames one; returns its id. */
  saveTheme(name: string, themeId?: string): string;
  /** Deletes a theme; its notes stay on the board without a theme. */
  deleteTheme(themeId: string): void;
}

/**
 * The board of `caseIndex` as a leader holds it: the same stock provider as everyone's, whose
 * local changes the server checks (layout fields and themes only) before it stores and relays them.
 */
export function useLeaderBoard(
  caseIndex: number,
  enabled: boolean,
): { board: BoardSnapshot; editor: BoardEditor } {
  const connection = useConnection();
  const store = boardStoreFor(connection, caseIndex);
  const session = useRef<BoardSession | null>(null);
  useEffect(() => {
    if (!enabled) return;
    const s = new BoardSession(connection.meetingId, caseIndex, connection.token, store);
    session.current = s;
    return () => {
      s.close();
      if (session.current === s) session.current = null;
      store.set(EMPTY_BOARD);
    };
  }, [connection, caseIndex, enabled, store]);
  const editor = useMemo<BoardEditor>(
    () => ({
      layout(noteId, change) {
        const doc = session.current?.doc;
        if (doc) setNoteLayout(doc, noteId, change);
      },
      saveTheme(name, themeId) {
        const id = themeId ?? newThemeId();
        const doc = session.current?.doc;
        if (doc) setTheme(doc, id, name);
        return id;
      },
      deleteTheme(themeId) {
        const doc = session.current?.doc;
        if (doc) removeTheme(doc, themeId);
      },
    }),
    [],
  );
  const snapshot = useSyncExternalStore(store.subscribe, store.get);
  return { board: enabled ? snapshot : EMPTY_BOARD, editor };
}
