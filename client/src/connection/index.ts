/**
 * The client's one door to the server. Components import from here, never from socket.io-client
 * or y-websocket.
 */
export { api } from './api';
export type { ApiErrorCode, ApiResult, CreatedMeeting, CreateMeetingRequest } from './api';
export { useBoard } from './board';
export type { BoardNote, BoardSnapshot, BoardTheme } from './board';
export {
  ConnectionProvider,
  RENDER_TICK_MS,
  useConnection,
  useConnectionStatus,
  useLeaderNotes,
  useMeetingConnection,
  useMeetingView,
  useServerClock,
  useServerNow,
} from './hooks';
export { MeetingConnection } from './MeetingConnection';
export type { ClockState, ConnectionStatus } from './MeetingConnection';
export { MyNotes } from './myNotes';
export type { MyNote, MyNoteStatus } from './myNotes';
export { forgetMeeting, forgetSeat, loadJson, loadSeat, meetingKey, saveJson, saveSeat } from './seats';
export type { StoredSeat } from './seats';
