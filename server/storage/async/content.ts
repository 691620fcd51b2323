/**
 * How a meeting's confidential columns are stored (CONF-4). On SQLite as they are: the file keeps
 * no copy that a purge does not reach (secure delete, the WAL truncated), and hashes are SHA-256
 * as the synchronous storage wrote them. On PostgreSQL sealed under the meeting's own key from the
 * key file (server/storage/keyStore.ts): PostgreSQL's WAL, replicas and backups keep copies that a
 * DELETE does not reach, and once the key is destroyed those copies are noise. Hashes of tokens
 * and secrets there are HMACs under the same key, so a copy cannot even be tested against a token.
 */
import { hashSecret, tokenMeeting } from '../../security/tokens';
import { keyedHash, seal, unseal } from '../../security/sealing';
import { destroyKeys, type KeyStore } from '../keyStore';

/** The columns that carry a meeting's content: each sealed value names its column. */
export type SealedColumn =
  | 'meetings.state'
  | 'meetings.join_code'
  | 'notes.text'
  | 'notes.pending_text'
  | 'notes.author_name'
  | 'notes.layout'
  | 'board_updates.update_data'
  /** Not a column: a payload that crosses Redis (its streams and AOF keep copies too). */
  | 'relay';

/** One meeting's content, with its key read once for the operation that asks. */
export interface MeetingContent {
  text(column: SealedColumn, rowId: string, plain: string): string;
  openText(column: SealedColumn, rowId: string, stored: string): string;
  bytes(column: SealedColumn, rowId: string, plain: Uint8Array): Uint8Array;
  openBytes(column: SealedColumn, rowId: string, stored: Uint8Array): Uint8Array;
  /** The stored form of a token or secret of this meeting. */
  hash(secret: string): string;
}

/** A token's stored form and the meeting it must belong to (when the token names one). */
export interface TokenLookup {
  meetingId: string | null;
  hash: string;
}

export interface ContentCodec {
  readonly sealed: boolean;
  /** Makes the meeting's key (a new meeting) and returns its content. */
  create(meetingId: string): MeetingContent;
  /** The meeting's content, or null when its key is missing (never made, or destroyed). */
  find(meetingId: string): MeetingContent | null;
  /** A join code's stored form, the lookup key of `meetings.join_code`. */
  joinCodeLookup(code: string): string;
  /** How to look a token up, or null when no meeting of it can hold it. */
  tokenLookup(token: string): TokenLookup | null;
  /** Destroys the meetings' keys (after their rows' delete committed); `whenScrubbed` once gone from the key file. */
  destroy(meetingIds: readonly string[], whenScrubbed?: () => void): void;
  /** The meetings that have a key. */
  keyedMeetings(): string[];
}

/** Thrown when a meeting's content is written or read while its key is missing. */
export class MeetingKeyMissingError extends Error {
  constructor() {
    super("the meeting's key is missing: its content cannot be read or written");
    this.name = 'MeetingKeyMissingError';
  }
}

const PLAIN: MeetingContent = {
  text: (_c, _r, plain) => plain,
  openText: (_c, _r, stored) => stored,
  bytes: (_c, _r, plain) => plain,
  openBytes: (_c, _r, stored) => stored,
  hash: hashSecret,
};

/** SQLite: content as it is, SHA-256 hashes, no keys. */
export const plainContent: ContentCodec = {
  sealed: false,
  create: () => PLAIN,
  find: () => PLAIN,
  joinCodeLookup: (code) => code,
  tokenLookup: (token) => ({ meetingId: null, hash: hashSecret(token) }),
  destroy: (_ids, whenScrubbed) => whenScrubbed?.(),
  keyedMeetings: () => [],
};

/** A meeting's owner name in the key file (other owners, e.g. a group's roster entries, differ). */
const OWNER_PREFIX = 'meeting:';
const owner = (meetingId: string) => `${OWNER_PREFIX}${meetingId}`;
/**
 * The server's one key for join codes: a code must be found before its meeting is known, so its
 * lookup form cannot be under the meeting's key. An HMAC under a key that PostgreSQL never holds
 * keeps a live meeting's code out of its backups (whoever holds one could otherwise walk into the
 * meeting). Never destroyed, so it may stay in memory.
 */
const JOIN_CODE_OWNER = 'server:join-codes';

/**
 * The additional data of a sealed value: its column, scope (the meeting, or a group's or roster
 * entry's id) and row, unambiguously joined.
 */
const identity = (column: string, scope: string, rowId: string) => JSON.stringify([column, scope, rowId]);

/** Sealing under one owner's key, each value bound to its column, scope and row. */
export type SealedBox<C extends string> = Omit<
  MeetingContent,
  'text' | 'openText' | 'bytes' | 'openBytes'
> & {
  text(column: C, rowId: string, plain: string): string;
  openText(column: C, rowId: string, stored: string): string;
  bytes(column: C, rowId: string, plain: Uint8Array): Uint8Array;
  openBytes(column: C, rowId: string, stored: Uint8Array): Uint8Array;
};

/** What `scope`'s values are sealed with under `key` (used for the groups too: server/groups/sealing.ts). */
export function sealedBox<C extends string>(scope: string, key: Buffer): SealedBox<C> {
  return {
    text: (column, rowId, plain) => seal(key, plain, identity(column, scope, rowId)).toString('base64'),
    openText: (column, rowId, stored) =>
      unseal(key, Buffer.from(stored, 'base64'), identity(column, scope, rowId)).toString('utf8'),
    bytes: (column, rowId, plain) => seal(key, plain, identity(column, scope, rowId)),
    openBytes: (column, rowId, stored) => new Uint8Array(unseal(key, stored, identity(column, scope, rowId))),
    hash: (secret) => keyedHash(key, secret),
  };
}

const meetingContent = (meetingId: string, key: Buffer): MeetingContent =>
  sealedBox<SealedColumn>(meetingId, key);

/**
 * PostgreSQL: sealed under the meeting's key. The key is read from the key file for every
 * operation and not kept: a key another process destroyed must not live on in this one.
 */
export function sealedContent(keys: KeyStore): ContentCodec {
  const find = (meetingId: string) => {
    const key = keys.find(owner(meetingId));
    return key ? meetingContent(meetingId, key) : null;
  };
  const joinCodeKey = keys.obtain(JOIN_CODE_OWNER);
  return {
    sealed: true,
    create: (meetingId) => meetingContent(meetingId, keys.obtain(owner(meetingId))),
    find,
    joinCodeLookup: (code) => keyedHash(joinCodeKey, code),
    tokenLookup(token) {
      const meetingId = tokenMeeting(token);
      const content = meetingId === null ? null : find(meetingId);
      return content ? { meetingId, hash: content.hash(token) } : null;
    },
    destroy: (meetingIds, whenScrubbed) => destroyKeys(keys, meetingIds.map(owner), whenScrubbed),
    keyedMeetings: () =>
      keys
        .owners()
        .filter((o) => o.startsWith(OWNER_PREFIX))
        .map((o) => o.slice(OWNER_PREFIX.length)),
  };
}
