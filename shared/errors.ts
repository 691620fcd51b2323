/** The closed table of error codes a command can be refused with. Clients translate the code. */
export const ERROR_CODES = {
  BAD_REQUEST: 'bad-request',
  UNAUTHENTICATED: 'unauthenticated',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not-found',
  RATE_LIMITED: 'rate-limited',
  WRONG_STATUS: 'wrong-status',
  NO_SUCH_PHASE: 'no-such-phase',
  NO_SUCH_SEAT: 'no-such-seat',
  NOT_PAUSED: 'not-paused',
  NOT_RUNNING: 'not-running',
  BOARD_CLOSED: 'board-closed',
  KIND_NOT_ALLOWED: 'kind-not-allowed',
  LISTENING: 'presenter-listening',
  NO_SUCH_NOTE: 'no-such-note',
  LIMIT_REACHED: 'limit-reached',
  PROTOCOL_MISMATCH: 'protocol-mismatch',
  UNAVAILABLE: 'unavailable',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export interface CommandError {
  code: ErrorCode;
  /** English, for developers and logs; screens show a translated text for `code`. */
  message: string;
  /** With `rate-limited` or `unavailable`: the earliest a retry may succeed, ms from the answer. */
  retryAfterMs?: number;
}

export type Result<T = undefined> = { ok: true; value: T } | { ok: false; error: CommandError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(code: ErrorCode, message: string): { ok: false; error: CommandError } {
  return { ok: false, error: { code, message } };
}

export function rateLimited(
  retryAfterMs: number,
  message = 'too many requests, slow down',
): {
  ok: false;
  error: CommandError;
} {
  return { ok: false, error: { code: ERROR_CODES.RATE_LIMITED, message, retryAfterMs } };
}
