import type { ErrorCode, Result } from './errors';
import type { CommandEnvelope } from './meeting/commands';
import type { MeetingView } from './meeting/view';
import type {
  LeaderNotesView,
  PresenterMarksView,
  QuestionPass,
  QuestionsView,
  NoteAdd,
  NoteDelete,
  NoteEdit,
  NoteMine,
  NoteModerate,
  NoteResonate,
  NoteStatus,
} from './board/commands';

export { PROTOCOL_VERSION } from './protocol-version';

/** Socket.IO handshake `auth`: the seat token never rides in a query string. */
export interface HandshakeAuth {
  token: string;
  protocolVersion: number;
}

type Ack<T = undefined> = (result: Result<T>) => void;

/** Commands, client to server. Every one is acknowledged after it is durably stored. */
export interface ClientToServerEvents {
  'meeting:command': (envelope: CommandEnvelope, ack: Ack) => void;
  /** Clock-offset sample: the ack carries the server's epoch ms. */
  'time:ping': (ack: (serverNow: number) => void) => void;
  'note:add': (payload: NoteAdd, ack: Ack<{ noteId: string; status: NoteStatus }>) => void;
  'note:edit': (payload: NoteEdit, ack: Ack) => void;
  'note:delete': (payload: NoteDelete, ack: Ack) => void;
  'note:mine': (payload: NoteMine, ack: Ack<Record<string, NoteStatus>>) => void;
  'note:moderate': (payload: NoteModerate, ack: Ack) => void;
  'note:resonate': (payload: NoteResonate, ack: Ack) => void;
  'board:release': (payload: Record<string, never>, ack: Ack) => void;
  /** Leaders only: pass one question (or every one of the case) on to the presenter (BOARD-11). */
  'question:pass': (payload: QuestionPass, ack: Ack) => void;
  /** Leaders only: every case's board (themes and notes, never authors) before the meeting ends. */
  'board:export': (payload: Record<string, never>, ack: Ack<BoardExport>) => void;
}

/** What a leader exports: the public boards of every case. No author, not even in named mode. */
export interface BoardExport {
  title: string;
  exportedAt: number;
  cases: {
    caseIndex: number;
    themes: { name: string; notes: ExportedNote[] }[];
    /** Released, visible notes in no theme and not parked. */
    unthemed: ExportedNote[];
    parked: ExportedNote[];
  }[];
}

export interface ExportedNote {
  kind: string;
  text: string;
  highlight: boolean;
  resonance: number;
}

/** Facts, server to client. */
export interface ServerToClientEvents {
  /** The whole snapshot of this connection's role view, after every change. */
  'meeting:state': (view: MeetingView) => void;
  /** Leaders only: notes held for screening or hidden, for the current case. */
  'board:leader': (view: LeaderNotesView) => void;
  /** The presenter and the projector only: the questions passed on (BOARD-11). */
  'board:questions': (view: QuestionsView) => void;
  /** The current case's presenter only: their own resonance marks (BOARD-10). */
  'board:presenter': (view: PresenterMarksView) => void;
  /** The meeting ended (or was purged): clear everything held for it. */
  'meeting:ended': (info: { meetingId: string }) => void;
  /** This seat was removed by a leader; its token no longer works. */
  'seat:removed': () => void;
  /**
   * Sent just before the server closes this connection for a limit: `limit-reached` (the seat
   * opened more connections than allowed; this, its oldest, made room) or `rate-limited` (the seat
   * kept flooding; it is refused for `retryAfterMs`).
   */
  'connection:closed': (info: { code: ErrorCode; message: string; retryAfterMs?: number }) => void;
}

/** Path of the board's y-websocket endpoint; the room name follows: /board/<meetingId>/<caseIndex>. */
export const BOARD_PATH = '/board';
/** First entry of the WebSocket subprotocol list; the seat token is the second. */
export const BOARD_SUBPROTOCOL = 'balint-room.v1';
