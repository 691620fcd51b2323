/**
 * SCALE-40..43: the groups' guards across processes. Two servers on one real PostgreSQL 15 database
 * (tests/helpers/services.ts), each with its own pools, its own group service and its own hub, as
 * two processes behind a balancer are; their clients race the same guarded operations. Each race
 * has exactly one effect: one meeting per group, the limits held, a recovery code used once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { openPostgresGroupStore } from '../../server/groups/open';
import { openPostgresStorage } from '../../server/storage/async/open';
import { hashSecret } from '../../server/security/tokens';
import { MAX_LINKS_PER_LEADER, MAX_PENDING_REQUESTS } from '../../shared/group/rules';
import { tempFolder } from '../helpers/confidential';
import { bearer, createGroup, type TestGroup } from '../helpers/groupFixtures';
import { startServer, type ServerFixture } from '../helpers/server-fixture';
import { queryPostgres, startPostgres, type PostgresServer } from '../helpers/services';

let postgres: PostgresServer;
beforeAll(async () => {
  postgres = await startPostgres();
});

let databases = 0;

interface Two {
  a: ServerFixture;
  b: ServerFixture;
  url: string;
}

/** Two servers on one fresh database and one key folder (the processes of one host). */
async function twoServers(): Promise<Two> {
  const url = await postgres.createDatabase(`processes_${++databases}`);
  const keyFolder = tempFolder('balint-processes-');
  const serve = async () =>
    startServer({
      unlimited: true,
      stores: {
        storage: await openPostgresStorage({ url, keyFolder, poolSize: 3 }),
        groupStore: await openPostgresGroupStore({ url, poolSize: 2, keyFolder }),
      },
    });
  const [a, b] = await Promise.all([serve(), serve()]);
  return { a, b, url };
}

async function count(url: string, where: string, values: unknown[] = []): Promise<number> {
  const rows = await queryPostgres<{ n: number }>(url, `SELECT count(*)::int AS n FROM ${where}`, values);
  return rows[0]?.n ?? -1;
}

const post = (fx: ServerFixture, group: TestGroup, path: string, body?: unknown) =>
  fx.api.request('POST', `/api/groups/${group.groupId}${path}`, body, bearer(group.leaderToken));

const statuses = (answers: { status: number }[]) => answers.map((r) => r.status).sort();

describe('the groups on two processes of one PostgreSQL database', () => {
  it('SCALE-41: two leaders starting the group’s meeting on two processes at once make one meeting', async () => {
    const { a, b, url } = await twoServers();
    const groups = await Promise.all([1, 2, 3, 4].map((i) => createGroup(a.api, `Group ${i}`)));
    for (const g of groups) {
      const answers = await Promise.all([post(a, g, '/meetings', {}), post(b, g, '/meetings', {})]);
      expect(statuses(answers)).toEqual([201, 409]);
      const started = answers.find((r) => r.status === 201)?.body as { meetingId: string };
      expect(
        await count(url, 'groups WHERE id = $1 AND current_meeting_id = $2', [g.groupId, started.meetingId]),
      ).toBe(1);
    }
    // No meeting beyond the one per group: the loser never created one.
    expect(await count(url, 'meetings')).toBe(groups.length);
  });

  it('SCALE-40: links added for one leader on two processes at once stop at the limit', async () => {
    const { a, b, url } = await twoServers();
    const g = await createGroup(a.api);
    const asks = Array.from({ length: MAX_LINKS_PER_LEADER + 4 }, (_, i) =>
      post(i % 2 === 0 ? a : b, g, '/devices', { label: `device ${i}` }),
    );
    const answers = await Promise.all(asks);
    // The leader's first link is one of the limit's.
    expect(answers.filter((r) => r.status === 201)).toHaveLength(MAX_LINKS_PER_LEADER - 1);
    expect(answers.filter((r) => r.status !== 201).every((r) => r.status === 429 || r.status === 409)).toBe(
      true,
    );
    expect(await count(url, 'leader_links WHERE group_id = $1', [g.groupId])).toBe(MAX_LINKS_PER_LEADER);
  });

  it('SCALE-40: join requests sent to two processes at once stop at the limit of waiting requests', async () => {
    const { a, b, url } = await twoServers();
    const g = await createGroup(a.api);
    const asks = Array.from({ length: MAX_PENDING_REQUESTS + 6 }, (_, i) =>
      (i % 2 === 0 ? a : b).api.request('POST', '/api/groups/join', {
        code: g.memberCode,
        name: `Person ${i}`,
      }),
    );
    const answers = await Promise.all(asks);
    expect(answers.filter((r) => r.status === 201)).toHaveLength(MAX_PENDING_REQUESTS);
    expect(await count(url, 'members WHERE group_id = $1', [g.groupId])).toBe(MAX_PENDING_REQUESTS);
  });

  it('CONF-41: on PostgreSQL a group’s token hashes are HMACs under its key, and its tokens work on either process', async () => {
    const { a, b, url } = await twoServers();
    const g = await createGroup(a.api);
    const rows = await queryPostgres<{ token_hash: string; recovery_hash: string }>(
      url,
      'SELECT l.token_hash, g.recovery_hash FROM leader_links l JOIN groups g ON g.id = l.group_id',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).not.toBe(hashSecret(g.leaderToken));
    expect(rows[0]?.recovery_hash).not.toBe(hashSecret(g.recoveryCode));
    for (const fx of [a, b])
      expect(
        (await fx.api.request('GET', `/api/groups/${g.groupId}`, undefined, bearer(g.leaderToken))).status,
      ).toBe(200);
  });

  it('SCALE-40: a recovery code used on two processes at once gives one new link', async () => {
    const { a, b, url } = await twoServers();
    const g = await createGroup(a.api);
    const recover = (fx: ServerFixture) =>
      fx.api.request('POST', `/api/groups/${g.groupId}/recover`, { code: g.recoveryCode });
    const answers = await Promise.all([recover(a), recover(b), recover(a), recover(b)]);
    expect(statuses(answers)).toEqual([201, 401, 401, 401]);
    expect(await count(url, 'leader_links WHERE group_id = $1', [g.groupId])).toBe(1);
  });
});
