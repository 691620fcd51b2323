import type { Storage } from '../types';

/** Operations whose life is the storage's own, not one transaction's. */
type Lifecycle = 'transaction' | 'purgeMeeting' | 'purgeLeftovers' | 'close';

type Async<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;

/** Every operation of the synchronous `Storage`, with the same arguments, returning a promise. */
export type StorageOperations = { [K in Exclude<keyof Storage, Lifecycle>]: Async<Storage[K]> };

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
  /** Sets (or with `at` null, clears) one due time of the meeting (SCALE-8, dueTimes.ts). */
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
  /** As `Storage.purgeMeeting`: the deletes are stored on return; `whenScrubbed` as there. */
  purgeMeeting(meetingId: string, whenScrubbed?: () => void): Promise<void>;
  purgeLeftovers(): Promise<number>;
  close(): Promise<void>;
  /** Sets (or with `at` null, clears) one due time of a meeting (SCALE-8). */
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
