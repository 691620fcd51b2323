import type { MeetingOperations } from '../types';

type Async<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;

/** Every operation of the meetings' storage (types.ts), returning a promise. */
export type StorageOperations = { [K in keyof MeetingOperations]: Async<MeetingOperations[K]> };

export type Dialect = 'sqlite' | 'postgres';

/** What is due: `phase` (deadline or auto-advance), `inactivity`, `release:<case>`. */
export type DueKind = 'phase' | 'inactivity' | `release:${number}`;

export interface DueRow {
  meetingId: string;
  kind: DueKind;
  dueAt: number;
}

/** The operations inside one transaction: they commit together, or not at all. */
export interface MeetingTransaction extends StorageOperations {
  /**
   * Holds the meeting's row until the transaction ends, so that two processes never apply a
   * command to the same old state (PostgreSQL: `SELECT ... FOR UPDATE`; another transaction that
   * locks it waits). On SQLite a no-op: its one connection runs one transaction at a time.
   * Resolves whether the meeting exists.
   */
  lockMeeting(meetingId: string): Promise<boolean>;
  /** Sets (or with `at` null, clears) one due time of the meeting (SCALE-15, dueTimes.ts). */
  setDue(meetingId: string, kind: DueKind, at: number | null): Promise<void>;
}

/**
 * The storage on Kysely, one implementation over SQLite and PostgreSQL. Every write is durable
 * when its promise resolves.
 */
export interface AsyncStorage extends StorageOperations {
  readonly dialect: Dialect;
  /**
   * Runs `fn` in one transaction: all of its writes are stored, or none (a rejection rolls back).
   * Inside, use only `tx`: on SQLite the storage's own operations wait for the transaction's end.
   */
  transaction<T>(fn: (tx: MeetingTransaction) => Promise<T>): Promise<T>;
  /**
   * Deletes everything of a meeting and leaves no trace in the file, its WAL or free pages. The
   * deletes are stored when it resolves; `whenScrubbed` runs once the WAL has really been
   * truncated (at once, or later when a reader outside the server blocked it).
   */
  purgeMeeting(meetingId: string, whenScrubbed?: () => void): Promise<void>;
  /**
   * At start-up: purges what a crash left behind (a meeting stored as ended whose purge did not
   * run, rows of meetings that no longer exist). Resolves with how many meetings it purged.
   */
  purgeLeftovers(): Promise<number>;
  close(): Promise<void>;
  /** Whether the database answers a trivial query (for /healthz, SCALE-11). */
  ping(): Promise<boolean>;
  /** Sets (or with `at` null, clears) one due time of a meeting (SCALE-15). */
  setDue(meetingId: string, kind: DueKind, at: number | null): Promise<void>;
  /** A meeting's stored due times, soonest first. */
  listDue(meetingId: string): Promise<DueRow[]>;
  /**
   * Claims the soonest row due at `now` that no other transaction holds (and none of `skip`), and
   * runs `act` in the claiming transaction; the row is deleted there unless `act` set it again.
   * Null when nothing is due. A rejection of `act` rolls back: the row stays due.
   */
  claimDue(
    now: number,
    skip: readonly DueRow[],
    act: (tx: MeetingTransaction, due: DueRow) => Promise<void>,
  ): Promise<DueRow | null>;
}
