import { useEffect, useSyncExternalStore } from 'react';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { BOARD_CLOSE } from '../../../shared/board/closeCodes';
import { BOARD_PATH, BOARD_SUBPROTOCOL } from '../../../shared/protocol';
import { useConnection } from './hooks';
import { EMPTY_BOARD, readBoard, type BoardSnapshot } from './boardShape';
import { createStore, type Store } from './store';

export type { BoardNote, BoardSnapshot, BoardTheme } from './boardShape';

function wsOrigin(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
}

/**
 * Final closes (4400–4499) after which a fresh document may succeed: the board was not shown to
 * this role yet (the meeting view and the board can cross on the wire), or a leader's change
 * was refused or could never be applied (4422): it lives in the local copy, which would send it
 * again on every reconnect, so the retry starts from an empty one (WIRE-4).
 */
const REOPEN_AFTER: ReadonlySet<number> = new Set([
  BOARD_CLOSE.NOT_VISIBLE,
  BOARD_CLOSE.FORBIDDEN,
  BOARD_CLOSE.TOO_LARGE,
  BOARD_CLOSE.MALFORMED,
  BOARD_CLOSE.INCOMPLETE_UPDATE,
  // A blocked seat (LIMIT-6) is let in again after 30 s: backing off, the board comes back then.
  BOARD_CLOSE.RATE_LIMITED,
]);

const REOPEN_MIN_MS = 1_000;
const REOPEN_MAX_MS = 15_000;

export interface BoardSessionOptions {
  /** `ws(s)://host[:port]` of the server; the page's own by default. */
  origin?: string;
  /** A WebSocket class where there is no global one (Node, in tests). */
  WebSocketPolyfill?: unknown;
  /**
   * A copy has synced with the server. After a final close the copy is a new one (WIRE-4): what
   * was changed on the old one and is not on it was refused (leaderBoard.ts names it).
   */
  onSynced?: (doc: Y.Doc) => void;
}

/**
 * One case's board: a stock y-websocket provider with the seat token in the subprotocol list.
 * Read-only seats never write to `doc` (the server would close the connection); leaders'
 * consoles change layout fields and themes through `connection/leaderBoard.ts`.
 */
export class BoardSession {
  doc: Y.Doc = new Y.Doc();
  private provider: WebsocketProvider | null = null;
  private reopenTimer: ReturnType<typeof setTimeout> | null = null;
  private reopenCount = 0;
  private stopped = false;

  constructor(
    private readonly meetingId: string,
    private readonly caseIndex: number,
    private readonly token: string,
    readonly store: Store<BoardSnapshot>,
    private readonly opts: BoardSessionOptions = {},
  ) {
    this.open();
  }

  close(): void {
    this.stopped = true;
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    this.teardown();
  }

  private open(): void {
    const doc = new Y.Doc();
    this.doc = doc;
    const provider = new WebsocketProvider(
      `${this.opts.origin ?? wsOrigin()}${BOARD_PATH}/${this.meetingId}`,
      String(this.caseIndex),
      doc,
      {
        protocols: [BOARD_SUBPROTOCOL, this.token],
        connect: false,
        // Tabs must not share updates among themselves: the server is the only source.
        disableBc: true,
        ...(this.opts.WebSocketPolyfill
          ? { WebSocketPolyfill: this.opts.WebSocketPolyfill as typeof WebSocket }
          : {}),
      },
    );
    this.provider = provider;
    // Awareness carries nothing about who is here.
    provider.awareness.setLocalState(null);
    const publish = () => {
      if (this.doc === doc) this.store.set(readBoard(doc, provider.synced));
    };
    doc.on('update', publish);
    provider.on('sync', (synced: boolean) => {
      if (synced) this.reopenCount = 0;
      publish();
      if (synced && this.doc === doc) this.opts.onSynced?.(doc);
    });
    provider.on('closed', ({ code }: { code: number }) => {
      if (code === BOARD_CLOSE.MEETING_ENDED) return this.store.set(EMPTY_BOARD);
      if (REOPEN_AFTER.has(code)) this.scheduleReopen();
    });
    provider.connect();
  }

  private scheduleReopen(): void {
    if (this.stopped || this.reopenTimer) return;
    this.reopenCount += 1;
    const base = Math.min(REOPEN_MAX_MS, REOPEN_MIN_MS * 2 ** (this.reopenCount - 1));
    this.reopenTimer = setTimeout(
      () => {
        this.reopenTimer = null;
        if (this.stopped) return;
        this.teardown();
        this.open();
      },
      base * (0.5 + Math.random() * 0.5),
    );
  }

  private teardown(): void {
    const provider = this.provider;
    this.provider = null;
    if (!provider) return;
    provider.destroy();
    // The provider does not destroy the awareness it made, and an awareness keeps an interval.
    provider.awareness.destroy();
    this.doc.destroy();
  }
}

const boardStores = new WeakMap<object, Map<number, Store<BoardSnapshot>>>();

export function boardStoreFor(owner: object, caseIndex: number): Store<BoardSnapshot> {
  let byCase = boardStores.get(owner);
  if (!byCase) boardStores.set(owner, (byCase = new Map()));
  let store = byCase.get(caseIndex);
  if (!store) byCase.set(caseIndex, (store = createStore(EMPTY_BOARD)));
  return store;
}

/** The board of `caseIndex` while `enabled`; an empty board otherwise. */
export function useBoard(caseIndex: number, enabled: boolean): BoardSnapshot {
  const connection = useConnection();
  const store = boardStoreFor(connection, caseIndex);
  useEffect(() => {
    if (!enabled) return;
    const session = new BoardSession(connection.meetingId, caseIndex, connection.token, store);
    return () => {
      session.close();
      store.set(EMPTY_BOARD);
    };
  }, [connection, caseIndex, enabled, store]);
  const snapshot = useSyncExternalStore(store.subscribe, store.get);
  return enabled ? snapshot : EMPTY_BOARD;
}
