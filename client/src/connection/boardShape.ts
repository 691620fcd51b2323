import type * as Y from 'yjs';
import { readBoard as readSharedBoard, type BoardNote, type BoardTheme } from '../../../shared/board/schema';

/**
 * How the client reads the board's Yjs document: through the one declaration of its shape in
 * shared/board/schema.ts, so server and client never disagree about it.
 */
export type { BoardNote, BoardTheme };

export interface BoardSnapshot {
  synced: boolean;
  notes: BoardNote[];
  themes: BoardTheme[];
}

export const EMPTY_BOARD: BoardSnapshot = { synced: false, notes: [], themes: [] };

export function readBoard(doc: Y.Doc, synced: boolean): BoardSnapshot {
  return { synced, ...readSharedBoard(doc) };
}
