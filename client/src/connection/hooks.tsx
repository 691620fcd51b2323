import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { LeaderNotesView, PresenterMarksView, QuestionsView } from '../../../shared/board/commands';
import type { MeetingView } from '../../../shared/meeting/view';
import { MeetingConnection, type ClockState, type ConnectionStatus } from './MeetingConnection';
import { forgetMeeting } from './seats';

const ConnectionContext = createContext<MeetingConnection | null>(null);

/**
 * Opens the connection for one seat while the calling screen is mounted. Returns null until a
 * token is known. At the end of the meeting (when the seat is removed, or its token refused)
 * everything the device kept for the meeting is forgotten.
 */
export function useMeetingConnection(meetingId: string, token: string | null): MeetingConnection | null {
  const [connection, setConnection] = useState<MeetingConnection | null>(null);
  useEffect(() => {
    if (!token) return;
    const c = new MeetingConnection(meetingId, token);
    const offEnd = c.onEnd((status) => {
      // A refused token means the meeting was purged (or the seat is gone): nothing of it is kept.
      if (status === 'ended' || status === 'removed' || status === 'unauthenticated')
        forgetMeeting(meetingId);
    });
    // A snapshot can say "ended" before (or instead of) the 'meeting:ended' event.
    const offView = c.view.subscribe(() => {
      if (c.view.get()?.status === 'ended') forgetMeeting(meetingId);
    });
    c.start();
    setConnection(c);
    return () => {
      offEnd();
      offView();
      c.stop();
      setConnection(null);
    };
  }, [meetingId, token]);
  return connection;
}

export function ConnectionProvider({
  connection,
  children,
}: {
  connection: MeetingConnection;
  children: ReactNode;
}) {
  return <ConnectionContext.Provider value={connection}>{children}</ConnectionContext.Provider>;
}

export function useConnection(): MeetingConnection {
  const c = useContext(ConnectionContext);
  if (!c) throw new Error('useConnection outside <ConnectionProvider>');
  return c;
}

export function useMeetingView(): MeetingView | null {
  const c = useConnection();
  return useSyncExternalStore(c.view.subscribe, c.view.get);
}

export function useConnectionStatus(): ConnectionStatus {
  const c = useConnection();
  return useSyncExternalStore(c.status.subscribe, c.status.get);
}

export function useServerClock(): ClockState {
  const c = useConnection();
  return useSyncExternalStore(c.clock.subscribe, c.clock.get);
}

export function useLeaderNotes(): LeaderNotesView | null {
  const c = useConnection();
  return useSyncExternalStore(c.leaderNotes.subscribe, c.leaderNotes.get);
}

/** The questions passed on, for the presenter and the projector (BOARD-11). */
export function usePassedQuestions(): QuestionsView | null {
  const c = useConnection();
  return useSyncExternalStore(c.questions.subscribe, c.questions.get);
}

/** The presenter's own marks, from their Socket.IO view (BOARD-10). */
export function usePresenterMarks(): PresenterMarksView | null {
  const c = useConnection();
  return useSyncExternalStore(c.presenterMarks.subscribe, c.presenterMarks.get);
}

/**
 * A shared render tick: every subscriber re-renders on the same beat. It only drives
 * rendering; time itself is always computed from the deadline, never by counting ticks.
 */
const RENDER_TICK_MS = 250;
let tickNow = Date.now();
let tickTimer: ReturnType<typeof setInterval> | null = null;
const tickListeners = new Set<() => void>();

function subscribeTick(listener: () => void): () => void {
  tickListeners.add(listener);
  if (!tickTimer) {
    tickNow = Date.now();
    tickTimer = setInterval(() => {
      tickNow = Date.now();
      for (const l of tickListeners) l();
    }, RENDER_TICK_MS);
  }
  return () => {
    tickListeners.delete(listener);
    if (tickListeners.size === 0 && tickTimer) {
      clearInterval(tickTimer);
      tickTimer = null;
    }
  };
}

/** The server's clock now, as this device estimates it, refreshed every RENDER_TICK_MS. */
export function useServerNow(): number {
  const { offsetMs } = useServerClock();
  // The tick only triggers the render; the time is read now, so a fresh snapshot is never
  // measured against a clock reading up to one beat old.
  useSyncExternalStore(subscribeTick, () => tickNow);
  return Date.now() + offsetMs;
}
