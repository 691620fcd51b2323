import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { MyNotes, useConnection, type MyNote } from '../../connection';

/** The author's own notes for this meeting, kept on this device and reconciled with the server. */
export function useMyNotes(): { notes: MyNote[]; actions: MyNotes } {
  const connection = useConnection();
  const actions = useMemo(() => new MyNotes(connection), [connection]);
  useEffect(() => actions.resume(), [actions]);
  const notes = useSyncExternalStore(actions.store.subscribe, actions.store.get);
  return { notes, actions };
}
