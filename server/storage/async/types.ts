import type { Storage } from '../types';

/** Operations whose life is the storage's own, not one transaction's. */
type Lifecycle = 'transaction' | 'purgeMeeting' | 'purgeLeftovers' | 'close';

type Async<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;

/** Every operation of the synchronous `Storage`, with the same arguments, returning a promise. */
export type StorageOperations = { [K in Exclude<keyof Storage, Lifecycle>]: Async<Storage[K]> };

export type Dialect = 'sqlite' | 'postgres';

/** The operations inside one transaction: they commit together, or not at all. */
export interface MeetingTransaction extends StorageOperations {
  /**
   * Holds the meeting's row until the transaction ends, so that two processes never apply a
   * command to the same old state (PostgreSQL: `SELECT ... FOR UPDATE`; another transaction that
   * locks it waits). On SQLite a no-op: its one connection runs one transaction at a time.
   * Resolves whether the meeting exists.
   */
  lockMeeting(meetingId: string): Promise<boolean>;
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
}
