import { useEffect, useSyncExternalStore } from 'react';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { BOARD_PATH, BOARD_SUBPROTOCOL } from '../../../shared/protocol';
import { useConnection } from './hooks';
import { EMPTY_BOARD, readBoard, type BoardSnapshot } from './boardShape';
import { createStore, type Store } from './store';

export type { BoardNote, BoardSnapshot } from './boardShape';

function wsOrigin(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
}

/**
 * A read-only view of one case's board: a stock y-websocket provider with the seat token in
 * the subprotocol list. This client never writes to the document (the server would close the
 * connection): notes go through the meeting connection instead.
 */
function openBoard(
  meetingId: string,
  caseIndex: number,
  token: string,
  store: Store<BoardSnapshot>,
): () => void {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${wsOrigin()}${BOARD_PATH}/${meetingId}`, String(caseIndex), doc, {
    protocols: [BOARD_SUBPROTOCOL, token],
    connect: false,
    // Tabs must not share updates among themselves: the server is the only source.
    disableBc: true,
  });
  // Awareness carries nothing about who is here.
  provider.awareness.setLocalState(null);
  const publish = () => store.set(readBoard(doc, provider.synced));
  doc.on('update', publish);
  provider.on('sync', publish);
  provider.connect();
  return () => {
    doc.off('update', publish);
    provider.destroy();
    // The provider does not destroy the awareness it made, and an awareness keeps an interval.
    provider.awareness.destroy();
    doc.destroy();
  };
}

const boardStores = new WeakMap<object, Map<number, Store<BoardSnapshot>>>();

function storeFor(owner: object, caseIndex: number): Store<BoardSnapshot> {
  let byCase = boardStores.get(owner);
  if (!byCase) boardStores.set(owner, (byCase = new Map()));
  let store = byCase.get(caseIndex);
  if (!store) byCase.set(caseIndex, (store = createStore(EMPTY_BOARD)));
  return store;
}

/** The board of `caseIndex` while `enabled`; an empty board otherwise. */
export function useBoard(caseIndex: number, enabled: boolean): BoardSnapshot {
  const connection = useConnection();
  const store = storeFor(connection, caseIndex);
  useEffect(() => {
    if (!enabled) return;
    const close = openBoard(connection.meetingId, caseIndex, connection.token, store);
    return () => {
      close();
      store.set(EMPTY_BOARD);
    };
  }, [connection, caseIndex, enabled, store]);
  const snapshot = useSyncExternalStore(store.subscribe, store.get);
  return enabled ? snapshot : EMPTY_BOARD;
}
