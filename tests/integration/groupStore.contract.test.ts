/**
 * The groups' store (server/groups/store.ts, Kysely) against its contract, the same assertions on
 * both databases (SCALE-6): SQLite in the group file of a temporary data folder, and a real
 * PostgreSQL 15 (tests/helpers/services.ts), a fresh database for every test in a language's
 * collation. The deletion guarantees of the SQLite file (secure delete, the WAL truncated) are
 * also held by the group canary tests of the server (group.*.test.ts), which run on this store.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { openPostgresGroupStore, openSqliteGroupStore } from '../../server/groups/open';
import type { GroupRow, MemberRow, SessionRow } from '../../server/groups/rows';
import { GROUP_SCHEMA_STEPS, GROUP_SQLITE_TYPES } from '../../server/groups/schema';
import { GROUP_FILE_NAME, type GroupStore } from '../../server/groups/store';
import { openPostgresStorage } from '../../server/storage/async/open';
import { SCHEMA_STEPS } from '../../server/storage/schema';
import { canary, foundInFolder } from '../helpers/confidential';
import { pollUntilAsync } from '../helpers/poll';
import { startPostgres, type PostgresServer } from '../helpers/services';

let postgres: PostgresServer;
beforeAll(async () => {
  postgres = await startPostgres();
});

function tempDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'balint-groups-contract-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let databases = 0;

interface Opened {
  store: GroupStore;
  /** Closes the store and opens the same database again. */
  reopen(): Promise<GroupStore>;
  schemaVersion(): Promise<number>;
}

interface Engine {
  name: string;
  open(): Promise<Opened>;
}

function closing(store: GroupStore): GroupStore {
  onTestFinished(() => store.close());
  return store;
}

const ENGINES: Engine[] = [
  {
    name: 'SQLite',
    async open() {
      const file = path.join(tempDataDir(), GROUP_FILE_NAME);
      const openIt = () => closing(openSqliteGroupStore({ file, synchronous: 'NORMAL' }));
      const store = openIt();
      return {
        store,
        reopen: async () => {
          await store.close();
          return openIt();
        },
        schemaVersion: async () => {
          const db = new Database(file, { readonly: true });
          try {
            return db.pragma('user_version', { simple: true }) as number;
          } finally {
            db.close();
          }
        },
      };
    },
  },
  {
    name: 'PostgreSQL',
    async open() {
      // A language's order (ICU en-US): lists must still come in byte order of their ids.
      const url = await postgres.createDatabase(`groups_${++databases}`, { icuLocale: 'en-US' });
      const keyFolder = tempDataDir();
      const openIt = async () => closing(await openPostgresGroupStore({ url, keyFolder }));
      const store = await openIt();
      return {
        store,
        reopen: async () => {
          await store.close();
          return openIt();
        },
        schemaVersion: async () =>
          (await query<{ version: number }>(url, 'SELECT version FROM group_schema_version'))[0]?.version ??
          -1,
      };
    },
  },
];

async function query<T>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Epoch ms past 32 bits (bigint on PostgreSQL). */
const AT = Date.UTC(2031, 4, 6, 9, 30, 0, 123);

function group(id: string, memberCode: string, extra: Partial<GroupRow> = {}): GroupRow {
  return {
    id,
    name: `Group ${id}`,
    language: 'de',
    mode: 'hybrid',
    anonymity: 'anonymous',
    plan: { name: 'Balint', phases: [{ kind: 'presentation', minutes: 10, caseIndex: 0 }] },
    memberCode,
    recoveryHash: `recovery-${id}`,
    nextAt: null,
    currentMeetingId: null,
    createdAt: AT,
    lastMeetingAt: null,
    labelsShared: false,
    ...extra,
  };
}

function member(groupId: string, id: string, extra: Partial<MemberRow> = {}): MemberRow {
  return { id, groupId, name: `Member ${id}`, status: 'admitted', createdAt: AT, ...extra };
}

function session(groupId: string, id: string, extra: Partial<SessionRow> = {}): SessionRow {
  return {
    id,
    groupId,
    startedAt: AT,
    endedAt: AT + 90 * 60_000,
    plannedMinutes: 90,
    mode: 'hybrid',
    status: 'proposed',
    doubleSessions: 2,
    leaderNames: ['Lena Leitner-Quast'],
    ...extra,
  };
}

/** A group with its owner, their first link, and two members with a device each. */
async function seeded(store: GroupStore, id = 'g1', code = 'CODE01') {
  await store.insertGroup(group(id, code));
  await store.insertLeader({ id: `${id}-owner`, groupId: id, name: 'Owner', rights: 'owner' });
  await store.insertLeaderLink(id, `${id}-owner`, `${id}-link`, `${id}-link-hash`, 'first', AT);
  for (const m of ['m1', 'm2']) {
    await store.insertMember(member(id, `${id}-${m}`));
    await store.insertDevice(id, `${id}-${m}`, `${id}-${m}-device`, `${id}-${m}-hash`, AT);
  }
}

describe.each(ENGINES)('the groups’ store on $name (SCALE-6)', (engine) => {
  it('groups: insert, find by id, member code and meeting; settings and every field kept exactly', async () => {
    const { store } = await engine.open();
    await store.insertGroup(group('g1', 'CODE01'));
    await store.insertGroup(group('g2', 'CODE02', { recoveryHash: null }));
    expect(await store.getGroup('g1')).toEqual(group('g1', 'CODE01'));
    expect(await store.getGroup('none')).toBeNull();
    expect(await store.groupByMemberCode('CODE02')).toEqual(group('g2', 'CODE02', { recoveryHash: null }));
    expect(await store.groupByMemberCode('NOPE00')).toBeNull();

    const plan = { name: 'Other', phases: [] };
    await store.updateSettings({
      id: 'g1',
      name: 'Renamed',
      language: 'en',
      mode: 'online',
      anonymity: 'named',
      plan,
    });
    await store.setMemberCode('g1', 'CODE11');
    await store.setRecoveryHash('g1', 'recovery-new');
    await store.setNextAt('g1', AT + 7 * 86_400_000);
    await store.setLastMeeting('g1', AT + 1);
    await store.setLabelsShared('g1', true);
    await store.setCurrentMeeting('g1', 'meeting-1');
    const changed = group('g1', 'CODE11', {
      name: 'Renamed',
      language: 'en',
      mode: 'online',
      anonymity: 'named',
      plan,
      recoveryHash: 'recovery-new',
      nextAt: AT + 7 * 86_400_000,
      lastMeetingAt: AT + 1,
      labelsShared: true,
      currentMeetingId: 'meeting-1',
    });
    expect(await store.getGroup('g1')).toEqual(changed);
    expect(await store.groupByMemberCode('CODE01')).toBeNull();
    expect(await store.groupByMeeting('meeting-1')).toEqual(changed);
    expect(await store.groupByMeeting('meeting-2')).toBeNull();
    expect(await store.liveGroups()).toEqual([changed]);
    expect((await store.allGroupIds()).sort()).toEqual(['g1', 'g2']);
    await store.setCurrentMeeting('g1', null);
    await store.setNextAt('g1', null);
    expect(await store.liveGroups()).toEqual([]);
    expect((await store.getGroup('g1'))?.nextAt).toBeNull();
    // A member code is one group's only.
    await expect(store.insertGroup(group('g3', 'CODE02'))).rejects.toThrow();
  });

  it('leaders: listed in the order they came (also after a change), rights, accreditation, links by time then id byte by byte', async () => {
    const { store } = await engine.open();
    await store.insertGroup(group('g1', 'CODE01'));
    for (const [id, rights] of [
      ['z-owner', 'owner'],
      ['a-second', 'leader'],
      ['M-third', 'leader'],
    ] as const)
      await store.insertLeader({ id, groupId: 'g1', name: `Leader ${id}`, rights });
    await store.setRights('g1', 'z-owner', 'manager');
    await store.setRights('g1', 'z-owner', 'owner');
    await store.setRights('g1', 'a-second', 'manager');
    await store.setRights('other-group', 'M-third', 'manager');
    await store.setAccreditation('g1', 'M-third', 'Balint-Gesellschaft, Nr. 7');
    expect(await store.leaders('g1')).toEqual([
      { id: 'z-owner', groupId: 'g1', name: 'Leader z-owner', rights: 'owner', accreditation: '' },
      { id: 'a-second', groupId: 'g1', name: 'Leader a-second', rights: 'manager', accreditation: '' },
      {
        id: 'M-third',
        groupId: 'g1',
        name: 'Leader M-third',
        rights: 'leader',
        accreditation: 'Balint-Gesellschaft, Nr. 7',
      },
    ]);
    expect(await store.accreditations('g1')).toEqual([
      { name: 'Leader z-owner', accreditation: '' },
      { name: 'Leader a-second', accreditation: '' },
      { name: 'Leader M-third', accreditation: 'Balint-Gesellschaft, Nr. 7' },
    ]);

    // Upper case, underscore, lower case at the same time: binary order (B, _, a).
    for (const id of ['a-link', 'B-link', '_link'])
      await store.insertLeaderLink('g1', 'a-second', id, `hash-${id}`, `label ${id}`, AT);
    await store.insertLeaderLink('g1', 'z-owner', 'early', 'hash-early', 'first', AT - 1);
    expect((await store.leaderLinks('g1')).map((l) => l.id)).toEqual(['early', 'B-link', '_link', 'a-link']);
    expect((await store.leaderLinks('g1'))[0]).toEqual({
      id: 'early',
      leaderId: 'z-owner',
      label: 'first',
      createdAt: AT - 1,
    });
    expect(await store.identify('hash-_link')).toEqual({
      kind: 'leader',
      groupId: 'g1',
      leaderId: 'a-second',
      linkId: '_link',
    });
    await store.deleteLeaderLink('g1', '_link');
    await store.deleteLeaderLink('other-group', 'a-link');
    expect(await store.identify('hash-_link')).toBeNull();
    await store.deleteLeaderLinks('g1', 'a-second');
    expect((await store.leaderLinks('g1')).map((l) => l.id)).toEqual(['early']);

    await store.insertLeaderLink('g1', 'M-third', 'third-link', 'hash-third', 'first', AT);
    await store.putMeetingSeat('g1', 'meeting-1', 'l:M-third', 'seat-3');
    await store.putMeetingSeat('g1', 'meeting-1', 'l:z-owner', 'seat-1');
    await store.deleteLeader('g1', 'M-third');
    expect((await store.leaders('g1')).map((l) => l.id)).toEqual(['z-owner', 'a-second']);
    expect(await store.identify('hash-third')).toBeNull();
    expect(await store.meetingSeats('meeting-1')).toEqual([{ person: 'l:z-owner', seatId: 'seat-1' }]);
  });

  it('members and devices: listed by time then id byte by byte; tokens found by hash; moved, revoked, deleted with the member', async () => {
    const { store } = await engine.open();
    await store.insertGroup(group('g1', 'CODE01'));
    await store.insertGroup(group('g2', 'CODE02'));
    for (const id of ['a-member', 'B-member', '_member']) await store.insertMember(member('g1', id));
    await store.insertMember(member('g1', 'late', { status: 'pending', createdAt: AT + 1 }));
    await store.insertMember(member('g2', 'elsewhere'));
    expect((await store.members('g1')).map((m) => m.id)).toEqual(['B-member', '_member', 'a-member', 'late']);
    expect((await store.members('g1'))[3]).toEqual(
      member('g1', 'late', { status: 'pending', createdAt: AT + 1 }),
    );
    await store.setMemberStatus('g1', 'late', 'admitted');
    await store.setMemberStatus('g2', '_member', 'pending');
    expect((await store.members('g1')).map((m) => m.status)).toEqual([
      'admitted',
      'admitted',
      'admitted',
      'admitted',
    ]);

    await store.insertDevice('g1', 'late', 'phone', 'hash-phone', AT + 5);
    await store.insertDevice('g1', 'late', 'tablet', 'hash-tablet', AT + 2);
    await store.insertDevice('g1', 'a-member', 'laptop', 'hash-laptop', AT);
    expect(await store.identify('hash-phone')).toEqual({
      kind: 'member',
      groupId: 'g1',
      memberId: 'late',
      deviceId: 'phone',
    });
    expect(await store.identify('hash-unknown')).toBeNull();
    expect(await store.devicesOf('g1', 'late')).toEqual([{ addedAt: AT + 2 }, { addedAt: AT + 5 }]);
    expect(await store.countDevices('late')).toBe(2);
    await store.moveDevices('g1', 'late', 'a-member');
    expect(await store.countDevices('late')).toBe(0);
    expect(await store.countDevices('a-member')).toBe(3);
    await store.deleteDevice('g1', 'phone');
    expect(await store.identify('hash-phone')).toBeNull();
    await store.deleteMemberDevices('g1', 'a-member');
    expect(await store.countDevices('a-member')).toBe(0);

    await store.insertDevice('g1', 'B-member', 'b-phone', 'hash-b', AT);
    await store.putMeetingSeat('g1', 'meeting-1', 'm:B-member', 'seat-b');
    await store.putMeetingSeat('g1', 'meeting-1', 'm:_member', 'seat-u');
    await store.deleteMember('g1', 'B-member');
    expect((await store.members('g1')).map((m) => m.id)).toEqual(['_member', 'a-member', 'late']);
    expect(await store.identify('hash-b')).toBeNull();
    expect(await store.meetingSeats('meeting-1')).toEqual([{ person: 'm:_member', seatId: 'seat-u' }]);
    expect((await store.members('g2')).map((m) => m.id)).toEqual(['elsewhere']);
  });

  it('a live meeting: seats replaced per person, its real start marked once, presence slots kept once each, all gone at its end', async () => {
    const { store } = await engine.open();
    await seeded(store);
    await store.setCurrentMeeting('g1', 'meeting-1');
    await store.putMeetingSeat('g1', 'meeting-1', 'm:g1-m1', 'seat-a');
    await store.putMeetingSeat('g1', 'meeting-1', 'm:g1-m1', 'seat-b');
    await store.putMeetingSeat('g1', 'meeting-1', 'l:g1-owner', 'seat-l');
    expect(await store.meetingSeat('meeting-1', 'm:g1-m1')).toBe('seat-b');
    expect(await store.meetingSeat('meeting-1', 'm:g1-m2')).toBeNull();
    expect(await store.meetingSeat('meeting-2', 'm:g1-m1')).toBeNull();

    expect(await store.startedAt('g1')).toBeNull();
    await store.markStarted('g1', AT + 10);
    await store.markStarted('g1', AT + 20);
    expect(await store.startedAt('g1')).toBe(AT + 10);

    const slot = Math.floor(AT / 300_000);
    await store.markSlots('g1', 'meeting-1', ['m:g1-m1', 'l:g1-owner'], slot);
    await store.markSlots('g1', 'meeting-1', ['m:g1-m1'], slot);
    await store.markSlots('g1', 'meeting-1', ['m:g1-m1'], slot + 1);
    await store.markSlots('g1', 'meeting-1', [], slot + 2);
    expect(await store.presence('meeting-1')).toEqual(
      new Map([
        ['m:g1-m1', new Set([slot, slot + 1])],
        ['l:g1-owner', new Set([slot])],
      ]),
    );

    await store.meetingEnded('meeting-1');
    expect(await store.meetingSeats('meeting-1')).toEqual([]);
    expect(await store.presence('meeting-1')).toEqual(new Map());
    expect((await store.getGroup('g1'))?.currentMeetingId).toBeNull();
    expect(await store.startedAt('g1')).toBeNull();
  });

  it('sessions and attendance: proposed with their lines, confirmed with corrected lines, deleted, stale proposals swept', async () => {
    const { store } = await engine.open();
    await seeded(store);
    await store.insertSession(session('g1', 'b-session', { startedAt: AT + 1_000 }), [
      { sessionId: 'b-session', memberId: 'g1-m1', attended: true, place: 'room' },
      { sessionId: 'b-session', memberId: 'g1-m2', attended: false, place: null },
    ]);
    await store.insertSession(session('g1', 'a-session', { endedAt: AT + 5 }), []);
    await store.insertSession(session('g1', 'B-session', { endedAt: AT + 5 }), []);
    expect((await store.sessions('g1')).map((s) => s.id)).toEqual(['B-session', 'a-session', 'b-session']);
    expect((await store.sessions('g1'))[2]).toEqual(session('g1', 'b-session', { startedAt: AT + 1_000 }));
    const lines = async () =>
      (await store.attendance('g1')).sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
    expect(await lines()).toEqual([
      { sessionId: 'b-session', memberId: 'g1-m1', attended: true, place: 'room' },
      { sessionId: 'b-session', memberId: 'g1-m2', attended: false, place: null },
    ]);

    await store.confirmSession('g1', 'b-session', 3, [
      { sessionId: 'b-session', memberId: 'g1-m2', attended: true, place: 'remote' },
    ]);
    expect((await store.sessions('g1'))[2]).toEqual(
      session('g1', 'b-session', { startedAt: AT + 1_000, status: 'confirmed', doubleSessions: 3 }),
    );
    expect(await lines()).toEqual([
      { sessionId: 'b-session', memberId: 'g1-m1', attended: true, place: 'room' },
      { sessionId: 'b-session', memberId: 'g1-m2', attended: true, place: 'remote' },
    ]);
    // A member who leaves takes their lines along.
    await store.deleteMember('g1', 'g1-m1');
    expect((await lines()).map((l) => l.memberId)).toEqual(['g1-m2']);

    // ATT-3: proposals whose meeting ended before the limit go; confirmed ones stay.
    expect(await store.deleteStaleProposals(AT + 6)).toBe(2);
    expect(await store.deleteStaleProposals(AT + 6)).toBe(0);
    expect((await store.sessions('g1')).map((s) => s.id)).toEqual(['b-session']);
    await store.deleteSession('g1', 'b-session');
    expect(await store.sessions('g1')).toEqual([]);
    expect(await store.attendance('g1')).toEqual([]);
  });

  it('evaluations and debriefs: counts as written; a page saved only from its stored version; stale pages swept', async () => {
    const { store } = await engine.open();
    await seeded(store);
    const counts = { safety: { 4: 2, 5: 1 } };
    await store.insertEvaluation('g1', 'b-eval', AT, 3, counts);
    await store.insertEvaluation('g1', 'a-eval', AT, 4, { safety: { 3: 4 } });
    await store.insertEvaluation('g1', 'early', AT - 1, 5, {});
    expect(await store.evaluations('g1')).toEqual([
      { closedAt: AT - 1, answers: 5, counts: {} },
      { closedAt: AT, answers: 4, counts: { safety: { 3: 4 } } },
      { closedAt: AT, answers: 3, counts },
    ]);

    expect(await store.putDebrief('g1', 'page-1', AT, 'first text', 0, AT + 1)).toBe(true);
    expect(await store.putDebrief('g1', 'page-1', AT, 'from an old version', 0, AT + 2)).toBe(false);
    expect(await store.putDebrief('g1', 'page-1', AT, 'second text', 1, AT + 3)).toBe(true);
    // Another group's leader cannot overwrite the page (on PostgreSQL a write needs the group's key).
    await store.insertGroup(group('g2', 'CODE02'));
    expect(await store.putDebrief('g2', 'page-1', AT, 'another group', 2, AT + 4)).toBe(false);
    expect(await store.putDebrief('g1', 'page-2', AT + 60_000, 'later meeting', 0, AT + 5)).toBe(true);
    expect(await store.debriefs('g1')).toEqual([
      { id: 'page-2', meetingAt: AT + 60_000, text: 'later meeting', version: 1, updatedAt: AT + 5 },
      { id: 'page-1', meetingAt: AT, text: 'second text', version: 2, updatedAt: AT + 3 },
    ]);
    await store.deleteDebrief('g2', 'page-2');
    expect(await store.debriefs('g1')).toHaveLength(2);
    expect(await store.deleteStaleDebriefs(AT + 4)).toBe(1);
    expect((await store.debriefs('g1')).map((d) => d.id)).toEqual(['page-2']);
    await store.deleteDebrief('g1', 'page-2');
    expect(await store.debriefs('g1')).toEqual([]);
  });

  it('case labels: kept with their presenter, renewed, done; a presenter who leaves takes their labels along', async () => {
    const { store } = await engine.open();
    await seeded(store);
    await store.insertLabel('g1', {
      id: 'l-2',
      label: 'the night call',
      caseAt: AT + 1,
      followUp: true,
      presenterId: 'g1-m1',
    });
    await store.insertLabel('g1', {
      id: 'l-1',
      label: 'the silent son',
      caseAt: AT,
      followUp: false,
      presenterId: null,
    });
    expect(await store.labels('g1')).toEqual([
      { id: 'l-1', label: 'the silent son', caseAt: AT, followUp: false, presenterId: null, renewedAt: AT },
      {
        id: 'l-2',
        label: 'the night call',
        caseAt: AT + 1,
        followUp: true,
        presenterId: 'g1-m1',
        renewedAt: AT + 1,
      },
    ]);
    expect(await store.renewLabel('g1', 'l-1', AT + 99)).toBe(true);
    expect(await store.renewLabel('g2', 'l-1', AT + 100)).toBe(false);
    expect(await store.renewLabel('g1', 'none', AT + 100)).toBe(false);
    expect((await store.labels('g1'))[0]?.renewedAt).toBe(AT + 99);
    expect(await store.deleteLabel('g2', 'l-1')).toBe(false);
    expect(await store.deleteLabel('g1', 'l-1')).toBe(true);
    expect(await store.deleteLabel('g1', 'l-1')).toBe(false);
    await store.deleteMember('g1', 'g1-m1');
    expect(await store.labels('g1')).toEqual([]);
  });

  it('a transaction stores all of its writes or, when it fails, none', async () => {
    const { store } = await engine.open();
    const result = await store.transaction(async (tx) => {
      await tx.insertGroup(group('g1', 'CODE01'));
      await tx.insertLeader({ id: 'owner', groupId: 'g1', name: 'Owner', rights: 'owner' });
      // An operation that is a transaction of its own joins the one it runs in.
      await tx.deleteLeader('g1', 'nobody');
      return 'done';
    });
    expect(result).toBe('done');
    expect((await store.leaders('g1')).map((l) => l.id)).toEqual(['owner']);

    const failed = store.transaction(async (tx) => {
      await tx.insertMember(member('g1', 'never'));
      await tx.setMemberCode('g1', 'NEVER1');
      await tx.meetingEnded('meeting-1');
      throw new Error('refused halfway');
    });
    await expect(failed).rejects.toThrow('refused halfway');
    expect(await store.members('g1')).toEqual([]);
    expect((await store.getGroup('g1'))?.memberCode).toBe('CODE01');
    // A failed statement rolls the transaction back, too: a device of no member is refused.
    await expect(
      store.transaction(async (tx) => {
        await tx.insertMember(member('g1', 'half'));
        await tx.insertDevice('g1', 'no-such-member', 'd', 'hash-d', AT);
      }),
    ).rejects.toThrow();
    expect(await store.members('g1')).toEqual([]);
  });

  it('GROUP-14: a deleted group takes every row of it along (foreign keys cascade), and others stay', async () => {
    const { store } = await engine.open();
    await seeded(store, 'g1', 'CODE01');
    await seeded(store, 'g2', 'CODE02');
    for (const g of ['g1', 'g2']) {
      await store.setCurrentMeeting(g, `meeting-${g}`);
      await store.putMeetingSeat(g, `meeting-${g}`, `m:${g}-m1`, 'seat');
      await store.markSlots(g, `meeting-${g}`, [`m:${g}-m1`], 1);
      await store.insertSession(session(g, `${g}-session`), [
        { sessionId: `${g}-session`, memberId: `${g}-m1`, attended: true, place: 'room' },
      ]);
      await store.insertEvaluation(g, `${g}-eval`, AT, 3, {});
      await store.putDebrief(g, `${g}-session`, AT, 'debrief', 0, AT);
      await store.insertLabel(g, {
        id: `${g}-label`,
        label: 'label',
        caseAt: AT,
        followUp: true,
        presenterId: null,
      });
    }
    let scrubbed = false;
    await store.deleteGroup('g1', () => (scrubbed = true));
    await pollUntilAsync(() => Promise.resolve(scrubbed), 5_000, 'the deletion to be scrubbed');
    expect(await store.getGroup('g1')).toBeNull();
    expect(await store.leaders('g1')).toEqual([]);
    expect(await store.leaderLinks('g1')).toEqual([]);
    expect(await store.identify('g1-link-hash')).toBeNull();
    expect(await store.identify('g1-m1-hash')).toBeNull();
    expect(await store.members('g1')).toEqual([]);
    expect(await store.meetingSeats('meeting-g1')).toEqual([]);
    expect(await store.presence('meeting-g1')).toEqual(new Map());
    expect(await store.sessions('g1')).toEqual([]);
    expect(await store.attendance('g1')).toEqual([]);
    expect(await store.evaluations('g1')).toEqual([]);
    expect(await store.debriefs('g1')).toEqual([]);
    expect(await store.labels('g1')).toEqual([]);
    expect(await store.allGroupIds()).toEqual(['g2']);
    expect(await store.identify('g2-m1-hash')).toEqual({
      kind: 'member',
      groupId: 'g2',
      memberId: 'g2-m1',
      deviceId: 'g2-m1-device',
    });
    expect(await store.attendance('g2')).toHaveLength(1);
    expect(await store.labels('g2')).toHaveLength(1);
  });

  it('the schema is migrated to the last step at open; opening again changes nothing and keeps the data', async () => {
    const { store, reopen, schemaVersion } = await engine.open();
    await seeded(store);
    expect(await schemaVersion()).toBe(GROUP_SCHEMA_STEPS.length);
    const again = await reopen();
    expect(await schemaVersion()).toBe(GROUP_SCHEMA_STEPS.length);
    expect(await again.getGroup('g1')).toEqual(group('g1', 'CODE01'));
    expect((await again.members('g1')).map((m) => m.id)).toEqual(['g1-m1', 'g1-m2']);
  });
});

/** SHA-256 of each step's SQLite text as it shipped (the group file's migrations before SCALE-6). */
const SHIPPED_SQLITE_STEPS = [
  '98cb72e6341f2258f7c08828bf449d4bccbce3a2e551acbe53ac7a73602b3b5a',
  '76ec031de9dea5319c51a837ea1d332fc83d9834cb88e443ded41a465677d912',
  'b6666683245c6bcc6f3f9e08825682cd70ad9af6fd1af7c81edc64e4977bb8f0',
  '18c775867160329f112b22804d6d513a9fd6644c80cb7a40d60688e52de406cc',
  '0f794e2f167a4ac236d740d2a5403609a79965368b15fc5e4e3b1926a2325f17',
  '05f402e75bcc0016f05915bc43d7233b5a01b7ced8bd06687a8b5d81f75cd1ab',
  'f89c72f0c65f889bed65e5d17cb2c515aa596675da2d6d86d327c29e81b97b6f',
  '4194b2fd8aa3bfb2d0a34baa4cf27c64111912900565b00aaea2e261ff5182d1',
];

describe('the groups’ store on each database, where they differ (SCALE-6)', () => {
  it('SQLite: every step that shipped keeps its text byte for byte, so files in the field are at a step of this list', () => {
    const texts = GROUP_SCHEMA_STEPS.map((step) => step(GROUP_SQLITE_TYPES));
    const hashes = texts.map((t) => createHash('sha256').update(t).digest('hex'));
    expect(hashes.slice(0, SHIPPED_SQLITE_STEPS.length)).toEqual(SHIPPED_SQLITE_STEPS);
  });

  it('SQLite: a file left at an older step is migrated forward at open and keeps its rows', async () => {
    const file = path.join(tempDataDir(), GROUP_FILE_NAME);
    const old = new Database(file);
    for (const step of GROUP_SCHEMA_STEPS.slice(0, 3)) old.exec(step(GROUP_SQLITE_TYPES));
    old.pragma('user_version = 3');
    old
      .prepare(
        `INSERT INTO groups (id, name, language, mode, anonymity, plan, member_code, recovery_hash, created_at)
         VALUES ('g1', 'Old group', 'de', 'room', 'anonymous', '{"name":"p","phases":[]}', 'CODE01', NULL, ?)`,
      )
      .run(AT);
    old.close();
    const store = closing(openSqliteGroupStore({ file, synchronous: 'NORMAL' }));
    expect(await store.getGroup('g1')).toMatchObject({
      name: 'Old group',
      lastMeetingAt: null,
      labelsShared: false,
    });
    await store.putDebrief('g1', 'page', AT, 'text', 0, AT);
    expect(await store.debriefs('g1')).toHaveLength(1);
  });

  it('SQLite: what a deleted group held leaves the file and its WAL (secure delete, the WAL truncated)', async () => {
    const dir = tempDataDir();
    const store = closing(
      openSqliteGroupStore({ file: path.join(dir, GROUP_FILE_NAME), synchronous: 'NORMAL' }),
    );
    const name = canary('groupname');
    const member = canary('membername');
    const debrief = canary('debrief');
    await store.insertGroup(group('g1', 'CODE01', { name }));
    await store.insertMember({ id: 'm1', groupId: 'g1', name: member, status: 'admitted', createdAt: AT });
    await store.putDebrief('g1', 'page', AT, debrief, 0, AT);
    expect(foundInFolder(dir, [name, member, debrief]).size).toBe(3);
    let scrubbed = false;
    await store.deleteGroup('g1', () => (scrubbed = true));
    await pollUntilAsync(() => Promise.resolve(scrubbed), 5_000, 'the WAL truncated');
    expect([...foundInFolder(dir, [name, member, debrief])]).toEqual([]);
  });

  it('PostgreSQL: processes opening a fresh database together migrate the group tables once (their own advisory lock)', async () => {
    const url = await postgres.createDatabase('groups_together');
    const keyFolder = tempDataDir();
    const stores = await Promise.all([1, 2, 3].map(() => openPostgresGroupStore({ url, keyFolder })));
    for (const s of stores) onTestFinished(() => s.close());
    expect(await query<{ version: number }>(url, 'SELECT version FROM group_schema_version')).toEqual([
      { version: GROUP_SCHEMA_STEPS.length },
    ]);
    await stores[0]?.insertGroup(group('g1', 'CODE01'));
    expect((await stores[2]?.groupByMemberCode('CODE01'))?.id).toBe('g1');
  });

  it('PostgreSQL: the group tables and the meetings’ tables share one database and one pool, migrated together, each list once', async () => {
    const url = await postgres.createDatabase('groups_beside_meetings');
    const pool = new pg.Pool({
      connectionString: url,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === 20 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // A backend ended when the test's server stops reports on its client, and an idle client's
    // error on the pool too: both are expected at the end of the file.
    pool.on('connect', (client) => {
      client.on('error', () => {});
    });
    pool.on('error', () => {});
    onTestFinished(() => pool.end());
    const keyFolder = tempDataDir();
    const [meetings, groups] = await Promise.all([
      openPostgresStorage({ url, keyFolder }),
      openPostgresGroupStore({ pool, keyFolder }),
    ]);
    onTestFinished(() => meetings.close());
    expect(await query<{ version: number }>(url, 'SELECT version FROM schema_version')).toEqual([
      { version: SCHEMA_STEPS.length },
    ]);
    expect(await query<{ version: number }>(url, 'SELECT version FROM group_schema_version')).toEqual([
      { version: GROUP_SCHEMA_STEPS.length },
    ]);
    await seeded(groups);
    expect(await meetings.loadLiveMeetings()).toEqual([]);
    // The pool passed in is the caller's: the store leaves it open.
    await groups.close();
    expect((await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM members')).rows).toEqual([
      { n: 2 },
    ]);
    const again = await openPostgresGroupStore({ pool, keyFolder });
    onTestFinished(() => again.close());
    expect((await again.getGroup('g1'))?.createdAt).toBe(AT);
  });
});
