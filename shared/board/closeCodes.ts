/**
 * Close codes of the board's WebSocket. A stock y-websocket client treats 4400–4499 as final and
 * stops reconnecting (it emits `closed` with the code and reason); every other code is transient.
 */
export const BOARD_CLOSE = {
  /** A message that is not a well-formed y-websocket message, or a text frame. */
  MALFORMED: 4400,
  /** No seat token, an unknown one, or the seat was removed. */
  BAD_TOKEN: 4401,
  /** Origin not allowed, seat not admitted, another meeting's token, or a write this seat may not make. */
  FORBIDDEN: 4403,
  /** No such meeting or case. */
  NOT_FOUND: 4404,
  /**
   * The board is not shown to this role in the current phase (or it is another case's board).
   * The client connects again when its meeting view says the board is visible.
   */
  NOT_VISIBLE: 4409,
  /** The meeting ended and its board was deleted: clear the local copy. */
  MEETING_ENDED: 4410,
  /**
   * The seat opened more board connections to this board than allowed: this one, its oldest, made
   * room for a newer one. Final: the newer connection carries on.
   */
  SUPERSEDED: 4408,
  /**
   * Too many frames or connections, or the seat is refused for a while after a sustained flood
   * (30 s). Final for a stock client: connect again later.
   */
  RATE_LIMITED: 4429,
  /** A leader update larger than the server accepts. */
  TOO_LARGE: 4413,
  /**
   * A leader update depended on content the server never received (a gap in the client's
   * updates): it was held for its missing part at most HELD_UPDATE_MAX_MS and HELD_UPDATE_MAX_BYTES
   * (server/board/updateCheck.ts), then the connection was closed (WIRE-3). The client's copy holds
   * changes the server will never apply: it is thrown away and a fresh one synced.
   */
  INCOMPLETE_UPDATE: 4422,
  /** The server is shutting down; a standard code, so the client reconnects by itself. */
  GOING_AWAY: 1001,
  /** The server failed on this connection (a store failed, or a frame could not be handled); transient. */
  SERVER_ERROR: 1011,
  /** This connection fell too far behind; transient, the client reconnects and resyncs. */
  TRY_AGAIN: 1013,
} as const;
