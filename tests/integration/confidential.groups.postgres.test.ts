/**
 * CONF-40 on PostgreSQL: the groups' store on a real PostgreSQL 15 (tests/helpers/services.ts)
 * whose data directory, pg_wal included, is read byte by byte, with its key file in a folder of
 * the test's own. A member's name and attendance are sealed under the member's key, the rest of
 * the group's content under the group's key: no canary is ever in PostgreSQL's files, and once a
 * member leaves (or the group goes) their key's bytes are in no file and the sealed copies that
 * PostgreSQL keeps open under no key left.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { ManualClock } from '../../server/core/clock';
import { createLogger } from '../../server/core/logger';
import { openPostgresGroupStore } from '../../server/groups/open';
import type { GroupRow } from '../../server/groups/rows';
import { unseal } from '../../server/security/sealing';
import { openPostgresStorage } from '../../server/storage/async/open';
import { KEY_FILE_NAME, openKeyStore } from '../../server/storage/keyStore';
import type { GroupLeaderView } from '../../shared/group/views';
import { canary, keyHits, scanFolder, tempFolder } from '../helpers/confidential';
import { bearer, createGroup, joinAndAdmit } from '../helpers/groupFixtures';
import { pollUntil } from '../helpers/poll';
import { startServer } from '../helpers/server-fixture';
import { queryPostgres, startPostgres, type PostgresServer } from '../helpers/services';

let postgres: PostgresServer;
beforeAll(async () => {
  postgres = await startPostgres();
});

let databases = 0;
const AT = Date.UTC(2031, 4, 6, 9, 30, 0, 123);

async function open() {
  const url = await postgres.createDatabase(`group_sealed_${++databases}`);
  const keyFolder = tempFolder('balint-group-keys-');
  const store = await openPostgresGroupStore({ url, keyFolder, poolSize: 2 });
  onTestFinished(() => store.close());
  return { store, url, keyFolder };
}

/** Destroys an owner's key behind the stores' backs (a key file restored from an older copy). */
async function loseKey(keyFolder: string, owner: string): Promise<void> {
  const keys = openKeyStore({ file: path.join(keyFolder, KEY_FILE_NAME), synchronous: 'FULL' });
  try {
    expect(keys.find(owner)).not.toBeNull();
    await new Promise<void>((resolve) => keys.destroy(owner, resolve));
  } finally {
    keys.close();
  }
}

/** The JSON log lines, parsed. */
const events = (lines: readonly string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

/** Every key the key file holds, by owner, read through a connection of the test's own. */
function keysIn(keyFolder: string): Map<string, Buffer> {
  const keys = openKeyStore({ file: path.join(keyFolder, KEY_FILE_NAME), synchronous: 'FULL' });
  try {
    return new Map(keys.owners().map((o) => [o, keys.find(o) as Buffer]));
  } finally {
    keys.close();
  }
}

/** Whether any key of the key file opens the sealed value (whatever row it claims to be). */
function opensUnderAnyKey(keyFolder: string, sealed: string, identity: string): boolean {
  for (const key of keysIn(keyFolder).values()) {
    try {
      unseal(key, Buffer.from(sealed, 'base64'), identity);
      return true;
    } catch {
      // Not this key.
    }
  }
  return false;
}

async function scanPostgres(url: string, needles: readonly string[]) {
  await queryPostgres(url, 'CHECKPOINT');
  return scanFolder(postgres.dataDir, needles);
}

function group(id: string, name: string): GroupRow {
  return {
    id,
    name,
    language: 'de',
    mode: 'hybrid',
    anonymity: 'anonymous',
    plan: { name: 'Balint', phases: [{ kind: 'presentation', minutes: 10, caseIndex: 0 }] },
    memberCode: `CODE-${id}`,
    recoveryHash: null,
    nextAt: null,
    currentMeetingId: null,
    createdAt: AT,
  };
}

describe('the groups sealed on PostgreSQL (CONF-40)', () => {
  it('CONF-40: a member’s name is in no PostgreSQL file, before or after they leave; then their key is in no file and the name opens under no key', async () => {
    const { store, url, keyFolder } = await open();
    const c = {
      group: canary('groupname'),
      leader: canary('leadername'),
      member: canary('membername'),
      other: canary('othermember'),
      debrief: canary('debrief'),
      label: canary('caselabel'),
      accreditation: canary('accreditation'),
    };
    await store.insertGroup(group('g1', c.group));
    await store.insertLeader({ id: 'l1', groupId: 'g1', name: c.leader, rights: 'owner' });
    await store.setAccreditation('g1', 'l1', c.accreditation);
    await store.insertMember({ id: 'm1', groupId: 'g1', name: c.member, status: 'admitted', createdAt: AT });
    await store.insertMember({ id: 'm2', groupId: 'g1', name: c.other, status: 'admitted', createdAt: AT });
    await store.insertSession(
      {
        id: 's1',
        groupId: 'g1',
        startedAt: AT,
        endedAt: AT + 1,
        plannedMinutes: 90,
        mode: 'hybrid',
        status: 'proposed',
        doubleSessions: 2,
        leaderNames: [c.leader],
      },
      [
        { sessionId: 's1', memberId: 'm1', attended: true, place: 'room' },
        { sessionId: 's1', memberId: 'm2', attended: false, place: null },
      ],
    );
    await store.putDebrief('g1', 's1', AT, c.debrief, 0, AT);
    await store.insertLabel('g1', {
      id: 'c1',
      label: c.label,
      caseAt: AT,
      followUp: true,
      presenterId: 'm1',
    });

    // Read back as written: the store opens what it sealed.
    expect((await store.members('g1')).map((m) => m.name)).toEqual([c.member, c.other]);
    expect(await store.attendance('g1')).toEqual(
      expect.arrayContaining([
        { sessionId: 's1', memberId: 'm1', attended: true, place: 'room' },
        { sessionId: 's1', memberId: 'm2', attended: false, place: null },
      ]),
    );
    expect((await store.getGroup('g1'))?.name).toBe(c.group);
    expect(await store.accreditations('g1')).toEqual([{ name: c.leader, accreditation: c.accreditation }]);
    // The clear columns of an attendance line hold nothing.
    expect(await queryPostgres(url, 'SELECT attended, place FROM attendance ORDER BY member_id')).toEqual([
      { attended: 0, place: null },
      { attended: 0, place: null },
    ]);
    expect(await scanPostgres(url, Object.values(c))).toEqual([]);

    const [stored] = await queryPostgres<{ name: string }>(url, "SELECT name FROM members WHERE id = 'm1'");
    const [line] = await queryPostgres<{ record: string }>(
      url,
      "SELECT record FROM attendance WHERE member_id = 'm1'",
    );
    const memberKey = keysIn(keyFolder).get('member:m1');
    expect(memberKey).toBeDefined();
    expect(
      opensUnderAnyKey(keyFolder, stored?.name ?? '', JSON.stringify(['members.name', 'm1', 'g1'])),
    ).toBe(true);

    // GROUP-15: the member leaves.
    await store.deleteMember('g1', 'm1');
    expect((await store.members('g1')).map((m) => m.name)).toEqual([c.other]);
    expect(keysIn(keyFolder).has('member:m1')).toBe(false);
    await pollUntil(
      () => keyHits([keyFolder, postgres.dataDir], memberKey as Buffer).length === 0,
      5_000,
      'the member key’s bytes gone from every file',
    );
    expect(keyHits([keyFolder, postgres.dataDir], memberKey as Buffer)).toEqual([]);
    // The copies PostgreSQL may keep (its WAL, a backup) open under no key there is.
    expect(
      opensUnderAnyKey(keyFolder, stored?.name ?? '', JSON.stringify(['members.name', 'm1', 'g1'])),
    ).toBe(false);
    expect(
      opensUnderAnyKey(keyFolder, line?.record ?? '', JSON.stringify(['attendance.record', 'm1', 's1'])),
    ).toBe(false);
    expect(await scanPostgres(url, Object.values(c))).toEqual([]);
    // The other member's entry is untouched.
    expect(keysIn(keyFolder).has('member:m2')).toBe(true);
  });

  it('CONF-42: at open, keys of groups and roster entries that have no row are destroyed; the others, and the meetings’ keys, stay', async () => {
    const { store, url, keyFolder } = await open();
    await store.insertGroup(group('g1', canary('groupname')));
    await store.insertMember({
      id: 'm1',
      groupId: 'g1',
      name: canary('member'),
      status: 'admitted',
      createdAt: AT,
    });
    // What a rolled-back creation or a crash before a key's destruction leaves.
    const keys = openKeyStore({ file: path.join(keyFolder, KEY_FILE_NAME), synchronous: 'FULL' });
    for (const owner of ['group:ghost', 'member:ghost', 'meeting:someone-elses']) keys.obtain(owner);
    keys.close();
    await store.close();
    const again = await openPostgresGroupStore({ url, keyFolder, poolSize: 2 });
    onTestFinished(() => again.close());
    expect([...keysIn(keyFolder).keys()].sort()).toEqual(['group:g1', 'meeting:someone-elses', 'member:m1']);
    expect((await again.members('g1')).map((m) => m.id)).toEqual(['m1']);
  });

  it('CONF-40: a deleted group takes its key and its members’ keys along, each in no file afterwards', async () => {
    const { store, url, keyFolder } = await open();
    const name = canary('groupname');
    const member = canary('membername');
    await store.insertGroup(group('g1', name));
    await store.insertGroup(group('g2', canary('othergroup')));
    await store.insertMember({ id: 'm1', groupId: 'g1', name: member, status: 'admitted', createdAt: AT });
    const before = keysIn(keyFolder);
    const groupKey = before.get('group:g1') as Buffer;
    const memberKey = before.get('member:m1') as Buffer;
    expect(groupKey).toBeDefined();
    expect(memberKey).toBeDefined();
    let scrubbed = false;
    await store.deleteGroup('g1', () => (scrubbed = true));
    await pollUntil(() => scrubbed, 5_000, 'the key file’s WAL truncated');
    expect([...keysIn(keyFolder).keys()]).toEqual(['group:g2']);
    for (const key of [groupKey, memberKey]) expect(keyHits([keyFolder, postgres.dataDir], key)).toEqual([]);
    expect(await scanPostgres(url, [name, member])).toEqual([]);
  });
});

describe('a group or roster entry whose key is missing (CONF-43)', () => {
  it('CONF-43: at open, a group whose key is missing or whose row does not open is dropped whole, an entry whose key is missing alone; logged by ids only; the rest is served', async () => {
    const { store, url, keyFolder } = await open();
    const c = {
      kept: canary('keptgroup'),
      lost: canary('lostgroup'),
      copied: canary('copiedgroup'),
      gone: canary('lostmember'),
      stays: canary('keptmember'),
      inLost: canary('memberoflost'),
    };
    await store.insertGroup(group('g1', c.kept));
    await store.insertGroup(group('g2', c.lost));
    await store.insertGroup(group('g3', c.copied));
    await store.insertMember({ id: 'm1', groupId: 'g1', name: c.gone, status: 'admitted', createdAt: AT });
    await store.insertMember({ id: 'm2', groupId: 'g1', name: c.stays, status: 'admitted', createdAt: AT });
    await store.insertMember({ id: 'm3', groupId: 'g2', name: c.inLost, status: 'admitted', createdAt: AT });
    await store.insertSession(
      {
        id: 's1',
        groupId: 'g1',
        startedAt: AT,
        endedAt: AT + 1,
        plannedMinutes: 90,
        mode: 'hybrid',
        status: 'confirmed',
        doubleSessions: 2,
        leaderNames: ['L'],
      },
      [
        { sessionId: 's1', memberId: 'm1', attended: true, place: 'room' },
        { sessionId: 's1', memberId: 'm2', attended: true, place: 'remote' },
      ],
    );
    await store.close();
    await loseKey(keyFolder, 'group:g2');
    await loseKey(keyFolder, 'member:m1');
    // g3's name replaced by g1's sealed name: its key is there, its row does not open under it.
    await queryPostgres(
      url,
      "UPDATE groups SET name = (SELECT name FROM groups WHERE id = 'g1') WHERE id = 'g3'",
    );

    const lines: string[] = [];
    const again = await openPostgresGroupStore({
      url,
      keyFolder,
      poolSize: 2,
      logger: createLogger('debug', (line) => lines.push(line)),
    });
    onTestFinished(() => again.close());

    expect(await again.allGroupIds()).toEqual(['g1']);
    expect((await again.getGroup('g1'))?.name).toBe(c.kept);
    expect((await again.members('g1')).map((m) => [m.id, m.name])).toEqual([['m2', c.stays]]);
    expect(await again.attendance('g1')).toEqual([
      { sessionId: 's1', memberId: 'm2', attended: true, place: 'remote' },
    ]);
    // Their rows are gone (the group's tables cascade from it, the entry's attendance from it).
    expect(await queryPostgres(url, 'SELECT id FROM groups ORDER BY id')).toEqual([{ id: 'g1' }]);
    expect(await queryPostgres(url, 'SELECT id FROM members ORDER BY id')).toEqual([{ id: 'm2' }]);
    expect(await queryPostgres(url, 'SELECT member_id FROM attendance')).toEqual([{ member_id: 'm2' }]);
    // The keys they still had went with them (g3's and the members of g2 and g3).
    expect([...keysIn(keyFolder).keys()].sort()).toEqual(['group:g1', 'member:m2']);
    expect(events(lines).filter((l) => String(l.event).startsWith('groups.'))).toEqual([
      expect.objectContaining({ level: 'error', event: 'groups.group_key_missing', groupId: 'g2' }),
      expect.objectContaining({ level: 'error', event: 'groups.group_unreadable', groupId: 'g3' }),
      expect.objectContaining({
        level: 'error',
        event: 'groups.member_key_missing',
        groupId: 'g1',
        memberId: 'm1',
      }),
    ]);
    const log = lines.join('\n');
    for (const text of Object.values(c)) expect(log).not.toContain(text);
  });

  it('CONF-43: while running, an entry whose key went is left out of the roster and its member’s requests answer 404; a group whose key went answers as a deleted one, and the retention sweep goes on past it', async () => {
    const url = await postgres.createDatabase(`group_sealed_${++databases}`);
    const keyFolder = tempFolder('balint-group-keys-');
    const lines: string[] = [];
    const logger = createLogger('debug', (line) => lines.push(line));
    const storage = await openPostgresStorage({ url, keyFolder, poolSize: 2, logger });
    const groupStore = await openPostgresGroupStore({ url, keyFolder, poolSize: 2, logger });
    const fx = await startServer({ stores: { storage, groupStore }, logger, groupRetentionMonths: 2 });
    const clock = fx.clock as ManualClock;
    // The lost group first: the sweep meets it before the other one.
    const lost = await createGroup(fx.api, 'Lost group');
    clock.advance(1_000);
    const kept = await createGroup(fx.api, 'Kept group');
    const anna = await joinAndAdmit(fx.api, kept, 'Anna Lostkey');
    await joinAndAdmit(fx.api, kept, 'Berta Keptkey');
    const view = async (g: typeof kept) =>
      fx.api.request<GroupLeaderView>('GET', `/api/groups/${g.groupId}`, undefined, bearer(g.leaderToken));
    const annaId = (await view(kept)).body.members.find((m) => m.name === 'Anna Lostkey')?.id ?? '';
    expect(annaId).not.toBe('');

    await loseKey(keyFolder, `member:${annaId}`);
    const seen = await view(kept);
    expect(seen.status).toBe(200);
    expect(seen.body.members.map((m) => m.name)).toEqual(['Berta Keptkey']);
    const own = await fx.api.request('GET', `/api/groups/${kept.groupId}/me/export`, undefined, bearer(anna));
    expect(own.status).toBe(404);
    expect((own.body as { error: { code: string } }).error.code).toBe('not-found');

    await loseKey(keyFolder, `group:${lost.groupId}`);
    expect((await view(lost)).status).toBe(401);
    const join = await fx.api.request('POST', '/api/groups/join', { code: lost.memberCode, name: 'Clara' });
    expect(join.status).toBe(404);

    // Both groups pass their retention: the lost one is skipped (logged), the kept one deleted.
    await fx.advance(70 * 24 * 3_600_000);
    expect((await view(kept)).status).toBe(401);
    expect(await queryPostgres(url, 'SELECT id FROM groups')).toEqual([{ id: lost.groupId }]);
    const logged = events(lines);
    expect(logged).toContainEqual(
      expect.objectContaining({ event: 'groups.group_key_missing', groupId: lost.groupId }),
    );
    expect(logged.map((l) => l.event)).not.toContain('group.retention_failed');
    expect(lines.join('\n')).not.toMatch(/Lostkey|Keptkey|Lost group|Kept group/);
  });
});
