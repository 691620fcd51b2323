/**
 * How the groups' content is stored (CONF-40). On SQLite as it is: the group file keeps no copy
 * that a deletion does not reach (secure delete, the WAL truncated). On PostgreSQL, whose WAL,
 * replicas and backups keep what a DELETE removed, sealed (AES-256-GCM, server/security/sealing.ts)
 * under keys of the key file (server/storage/keyStore.ts): a roster entry's name and attendance
 * under the member's own key (`member:<id>`), destroyed when the entry goes; the rest of the
 * group's content under the group's key (`group:<id>`), destroyed when the group goes.
 */
import { sealedBox, type SealedBox } from '../storage/async/content';
import { destroyKeys, type KeyStore } from '../storage/keyStore';
import { hashSecret } from '../security/tokens';

/** The columns that carry a group's content: each sealed value names its column. */
export type GroupColumn =
  | 'groups.name'
  | 'groups.plan'
  | 'leaders.name'
  | 'leaders.accreditation'
  | 'leader_links.label'
  | 'members.name'
  | 'sessions.leader_names'
  | 'attendance.record'
  | 'evaluations.counts'
  | 'debriefs.text'
  | 'case_labels.label';

export type GroupBox = Pick<SealedBox<GroupColumn>, 'text' | 'openText' | 'hash'>;

/**
 * Thrown when a group's or member's content is written or read while its key is missing (the key
 * file lost or replaced under a running process). `owner` says whose key: a request then answers
 * 404 for that group or member (CONF-43).
 */
export class GroupKeyMissingError extends Error {
  constructor(readonly owner: 'group' | 'member' = 'group') {
    super(`the ${owner}'s key is missing: its content cannot be read or written`);
    this.name = 'GroupKeyMissingError';
  }
}

export interface GroupSealing {
  readonly sealed: boolean;
  /** The group's box; `make` makes its key (a new group). */
  group(groupId: string, make?: boolean): GroupBox;
  /** The roster entry's box; `make` makes its key (a new entry). */
  member(memberId: string, make?: boolean): GroupBox;
  /** Destroys the keys (after their rows' delete committed); `whenScrubbed` once gone from the key file. */
  destroy(
    owners: { groups?: readonly string[]; members?: readonly string[] },
    whenScrubbed?: () => void,
  ): void;
  /** The groups and roster entries that have a key, for the start-up sweep (CONF-42). */
  keyed(): { groups: string[]; members: string[] };
}

const PLAIN: GroupBox = {
  text: (_c, _r, plain) => plain,
  openText: (_c, _r, stored) => stored,
  hash: hashSecret,
};

/** SQLite: content as it is, no keys. */
export const plainGroups: GroupSealing = {
  sealed: false,
  group: () => PLAIN,
  member: () => PLAIN,
  destroy: (_owners, whenScrubbed) => whenScrubbed?.(),
  keyed: () => ({ groups: [], members: [] }),
};

export const groupOwner = (groupId: string) => `group:${groupId}`;
export const memberOwner = (memberId: string) => `member:${memberId}`;
const GROUP_PREFIX = groupOwner('');
const MEMBER_PREFIX = memberOwner('');

/**
 * PostgreSQL: sealed under the keys of the key file. A key is read for every operation and not
 * kept: a key another process destroyed must not live on in this one.
 */
export function sealedGroups(keys: KeyStore): GroupSealing {
  const box = (kind: 'group' | 'member', owner: string, scope: string, make: boolean): GroupBox => {
    const key = make ? keys.obtain(owner) : keys.find(owner);
    if (!key) throw new GroupKeyMissingError(kind);
    return sealedBox<GroupColumn>(scope, key);
  };
  return {
    sealed: true,
    group: (groupId, make = false) => box('group', groupOwner(groupId), groupId, make),
    member: (memberId, make = false) => box('member', memberOwner(memberId), memberId, make),
    destroy: (owners, whenScrubbed) =>
      destroyKeys(
        keys,
        [...(owners.groups ?? []).map(groupOwner), ...(owners.members ?? []).map(memberOwner)],
        whenScrubbed,
      ),
    keyed() {
      const owners = keys.owners();
      const of = (prefix: string) =>
        owners.filter((o) => o.startsWith(prefix)).map((o) => o.slice(prefix.length));
      return { groups: of(GROUP_PREFIX), members: of(MEMBER_PREFIX) };
    },
  };
}
