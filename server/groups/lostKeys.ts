/**
 * CONF-43: what the groups' store does with content whose key is missing (the key file lost, or
 * replaced by an older copy). At open on PostgreSQL such a group is dropped whole, and such a
 * roster entry alone, as CONF-10 drops a meeting; while running, reads leave such an entry out.
 */
import type { Kysely } from 'kysely';
import type { Logger } from '../core/logger';
import { GroupKeyMissingError, type GroupBox, type GroupSealing } from './sealing';
import type { GroupsDb } from './tables';

/** Ids per query: far below PostgreSQL's limit of parameters. */
const CHUNK = 500;

/** 'missing' when the key is not there, 'unreadable' when the content does not open under it. */
type Lost = 'missing' | 'unreadable';

function check(open: () => void): { lost: Lost; error?: string } | null {
  try {
    open();
    return null;
  } catch (error) {
    if (error instanceof GroupKeyMissingError) return { lost: 'missing' };
    // Only the error's class: a parser's message may quote the text it failed on.
    return { lost: 'unreadable', error: error instanceof Error ? error.name : 'unknown' };
  }
}

/** The member's box, or null when their key is missing (an entry a read leaves out). */
export function memberBoxOrNull(sealing: GroupSealing, memberId: string): GroupBox | null {
  try {
    return sealing.member(memberId);
  } catch (error) {
    if (error instanceof GroupKeyMissingError) return null;
    throw error;
  }
}

/**
 * Runs one group's part of a sweep; null, logged by the group's id, when the group's key went
 * under the running process (the next open drops it), so that the sweep goes on with the others.
 */
export async function skipLost<T>(logger: Logger, groupId: string, fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof GroupKeyMissingError)) throw error;
    logger.error(`groups.${error.owner}_key_missing`, { groupId });
    return null;
  }
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/**
 * Drops, in one transaction, every group whose key is missing or whose row (name, plan) does not
 * open under it, and every roster entry of the other groups whose own key is missing or whose
 * name does not open: their rows go (the group's tables cascade from its row; an entry's
 * attendance, devices and labels from the member's row, its seat map here), and what keys they
 * still have are destroyed after the commit. Logged by ids and error class only. The group's
 * current meeting is left to the meetings' own rules (CONF-10). Returns how many went.
 */
export async function dropLostGroups(
  db: Kysely<GroupsDb>,
  sealing: GroupSealing,
  logger: Logger,
): Promise<{ groups: number; members: number }> {
  const dropped = await db.transaction().execute(async (trx) => {
    const lostGroups: string[] = [];
    for (const g of await trx.selectFrom('groups').select(['id', 'name', 'plan']).execute()) {
      const found = check(() => {
        const box = sealing.group(g.id);
        box.openText('groups.name', g.id, g.name);
        box.openText('groups.plan', g.id, g.plan);
      });
      if (!found) continue;
      logger.error(found.lost === 'missing' ? 'groups.group_key_missing' : 'groups.group_unreadable', {
        groupId: g.id,
        ...(found.error === undefined ? {} : { error: found.error }),
      });
      lostGroups.push(g.id);
    }
    const gone = new Set(lostGroups);
    const members = await trx.selectFrom('members').select(['id', 'group_id', 'name']).execute();
    const lostMembers: string[] = [];
    for (const m of members) {
      if (gone.has(m.group_id)) continue;
      const found = check(() => sealing.member(m.id).openText('members.name', m.group_id, m.name));
      if (!found) continue;
      logger.error(found.lost === 'missing' ? 'groups.member_key_missing' : 'groups.member_unreadable', {
        groupId: m.group_id,
        memberId: m.id,
        ...(found.error === undefined ? {} : { error: found.error }),
      });
      lostMembers.push(m.id);
    }
    for (const ids of chunks(lostGroups)) await trx.deleteFrom('groups').where('id', 'in', ids).execute();
    for (const ids of chunks(lostMembers)) {
      await trx.deleteFrom('members').where('id', 'in', ids).execute();
      const persons = ids.map((id) => `m:${id}`);
      await trx.deleteFrom('meeting_seats').where('person', 'in', persons).execute();
    }
    const membersOfLost = members.filter((m) => gone.has(m.group_id)).map((m) => m.id);
    return { lostGroups, lostMembers, membersOfLost };
  });
  const { lostGroups, lostMembers, membersOfLost } = dropped;
  // After the commit, as a deletion's: the keys that are still there (an unreadable group's, its
  // members') go too.
  if (lostGroups.length + lostMembers.length > 0)
    sealing.destroy({ groups: lostGroups, members: [...lostMembers, ...membersOfLost] });
  return { groups: lostGroups.length, members: lostMembers.length };
}
