/**
 * The client's one door to the server. Components import from here, never from socket.io-client
 * or y-websocket.
 */
export { api } from './api';
export type { ApiErrorCode, CreatedMeeting } from './api';
export { useBoard } from './board';
export type { BoardNote, BoardSnapshot, BoardTheme } from './board';
export {
  ConnectionProvider,
  useConnection,
  useConnectionStatus,
  useLeaderNotes,
  usePresenterMarks,
  usePassedQuestions,
  useMeetingConnection,
  useMeetingView,
  useServerClock,
  useServerNow,
} from './hooks';
export { MyNotes } from './myNotes';
export type { MyNote } from './myNotes';
export { loadJson, loadSeat, meetingKey, saveJson, saveSeat } from './seats';
