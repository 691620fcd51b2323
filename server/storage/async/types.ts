import type { MeetingOperations, SeatLookup, StoredMeeting } from '../types';

/**
 * Operations redefined below: those whose secrets the storage hashes itself (CONF-4: on
 * PostgreSQL a hash is an HMAC under the meeting's key, which only the storage holds), and the
 * load, which returns versions (SCALE-16).
 */
type Redefined = 'insertMeeting' | 'insertSeatToken' | 'findSeatByTokenHash' | 'loadLiveMeetings';

/** A meeting as stored, with the version of its state (SCALE-16: 0 at creation, +1 per save). */
export interface VersionedMeeting extends StoredMeeting {
  version: number;
}

/** What a command's transaction finds under the meeting's row lock. */
export interface LockedMeeting {
  version: number;
  lastActivityAt: number;
}

type Async<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;

/** A new meeting's secrets, as they were handed out (never stored as they are). */
export interface MeetingSecrets {
  leaderToken: string;
  projectorKey: string;
}

/**
 * Every operation of the meetings' storage (types.ts), returning a promise; except that tokens
 * and secrets reach the storage as they are, and it stores them in its own hash form (SHA-256 on
 * SQLite, HMAC under the meeting's key on PostgreSQL: CONF-4).
 */
export type StorageOperations = {
  [K in Exclude<keyof MeetingOperations, Redefined>]: Async<MeetingOperations[K]>;
} & {
  /** Inserts the meeting and, on PostgreSQL, makes its key first (in the key file). */
  insertMeeting(m: StoredMeeting, secrets: MeetingSecrets): Promise<void>;
  /**
   * A seat's token; on PostgreSQL it must name its meeting (`newSeatToken`, CONF-4). Stored as its
   * hash form only.
   */
  addSeatToken(meetingId: string, seatId: string, token: string): Promise<void>;
  /** The seat a token belongs to, found by the token's hash form; null for an unknown token. */
  findSeatByToken(token: string): Promise<SeatLookup | null>;
  /**
   * The stored form of one of the meeting's secrets (a note's secret, the projector key) to store
   * in `NoteRow.secretHash` or compare with `sameHash`: SHA-256 on SQLite, an HMAC under the
   * meeting's key on PostgreSQL. Rejects with `MeetingKeyMissingError` when the key is missing.
   */
  secretHash(meetingId: string, secret: string): Promise<string>;
  /** The live meetings, opened, with their versions. */
  loadLiveMeetings(): Promise<VersionedMeeting[]>;
  /**
   * One meeting as stored now, opened; null when it is not there (purged, or ended: an ended
   * meeting is only waiting for its purge) or cannot be opened (its key is missing).
   */
  loadMeeting(meetingId: string): Promise<VersionedMeeting | null>;
};

export type Dialect = 'sqlite' | 'postgres';

/** What is due: `phase` (deadline or auto-advance), `inactivity`, `release:<case>`. */
export type DueKind = 'phase' | 'inactivity' | `release:${number}`;

export interface DueRow {
  meetingId: string;
  kind: DueKind;
  dueAt: number;
}

/**
 * Payloads with a meeting's content that cross Redis between processes (board updates, bus
 * messages): Redis's streams, AOF and RDB keep copies a purge does not reach, so on PostgreSQL
 * (the only storage that runs with Redis) they travel sealed under the meeting's key, named by
 * their channel; on SQLite as they are. Null when the meeting's key is missing (it was purged: drop
 * the payload) or, when opening, when the payload is not this meeting's and channel's.
 */
export interface RelaySealing {
  seal(meetingId: string, channel: string, payload: Uint8Array): Uint8Array | null;
  open(meetingId: string, channel: string, sealed: Uint8Array): Uint8Array | null;
}

/** The operations inside one transaction: they commit together, or not at all. */
export interface MeetingTransaction extends StorageOperations {
  /**
   * Holds the meeting's row until the transaction ends, so that two processes never apply a
   * command to the same old state (PostgreSQL: `SELECT ... FOR UPDATE`; another transaction that
   * locks it waits). On SQLite a no-op: its one connection runs one transaction at a time.
   * Resolves with the stored version and activity, or null when the meeting is not there.
   * `touchAt`: the activity stamp is set to it in the same statement (an UPDATE holds the row as
   * the lock does), so a board change that is activity takes no statement of its own for it.
   */
  lockMeeting(meetingId: string, touchAt?: number): Promise<LockedMeeting | null>;
  /** Sets (or with `at` null, clears) one due time of the meeting (SCALE-15, dueTimes.ts). */
  setDue(meetingId: string, kind: DueKind, at: number | null): Promise<void>;
  /** `setDue` for several kinds, in at most two statements. */
  setDues(meetingId: string, dues: readonly { kind: DueKind; at: number | null }[]): Promise<void>;
  /** Sets one due time unless one is set; resolves with the time that holds (dueTimes.ts). */
  keepDue(meetingId: string, kind: DueKind, at: number): Promise<number>;
}

/**
 * The storage on Kysely, one implementation over SQLite and PostgreSQL. Every write is durable
 * when its promise resolves.
 */
export interface AsyncStorage extends StorageOperations {
  readonly dialect: Dialect;
  readonly relay: RelaySealing;
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
