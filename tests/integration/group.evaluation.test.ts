import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ManualClock } from '../../server/core/clock';
import { EVALUATION_OPEN_MS } from '../../shared/group/evaluation';
import { bearer, createGroup, joinAndAdmit } from '../helpers/groupFixtures';
import { startServer, type ServerFixture } from '../helpers/server-fixture';

/** The group file and its WAL, byte for byte. */
function fingerprint(fx: ServerFixture): string {
  const hash = createHash('sha256');
  for (const f of [fx.groupFile, `${fx.groupFile}-wal`])
    hash.update(existsSync(f) ? readFileSync(f) : Buffer.alloc(0));
  return hash.digest('hex');
}

interface EvalView {
  open: { items: string[]; answered: boolean } | null;
  results: { answers: number; counts: Record<string, number[]> }[];
}

describe('the anonymous evaluation (EVAL-1..4)', () => {
  it('EVAL-1/2/3/4: answers stay in memory (the file and its WAL do not change) until the close; under three, nothing is written', async () => {
    const fx = await startServer();
    const group = await createGroup(fx.api);
    const url = `/api/groups/${group.groupId}/evaluation`;
    const members = [];
    for (const n of ['Alma', 'Bert', 'Cara', 'Dana']) members.push(await joinAndAdmit(fx.api, group, n));
    const [alma, bert, cara] = members as [string, string, string];
    const view = async (token: string) =>
      (await fx.api.request<EvalView>('GET', url, undefined, bearer(token))).body;
    const answer = (token: string, answers: Record<string, number>) =>
      fx.api.request('POST', `${url}/answer`, { answers }, bearer(token));

    // Round one: two answers, then the leader closes: nothing is written.
    expect((await fx.api.request('POST', url, { items: ['safe', 'frame'] }, bearer(alma))).status).toBe(403);
    expect(
      (await fx.api.request('POST', url, { items: ['safe', 'frame'] }, bearer(group.leaderToken))).status,
    ).toBe(201);
    const before = fingerprint(fx);
    expect((await answer(alma, { safe: 5, frame: 4 })).status).toBe(200);
    expect(fingerprint(fx)).toBe(before);
    expect((await answer(alma, { safe: 1 })).status).toBe(409);
    expect((await answer(bert, { relationship: 3 })).status).toBe(400);
    expect((await answer(bert, { safe: 6 })).status).toBe(400);
    expect((await answer(bert, { safe: 4 })).status).toBe(200);
    expect(fingerprint(fx)).toBe(before);
    expect((await view(alma)).open?.answered).toBe(true);
    expect((await view(cara)).open?.answered).toBe(false);
    // No results while it is open.
    expect((await view(group.leaderToken)).results).toEqual([]);
    const closed = await fx.api.request<{ written: boolean }>(
      'POST',
      `${url}/close`,
      undefined,
      bearer(group.leaderToken),
    );
    expect(closed.body.written).toBe(false);
    expect((await view(group.leaderToken)).results).toEqual([]);

    // Round two: three answers; it closes by itself after 15 minutes and the counts are written once.
    await fx.api.request('POST', url, { items: ['safe', 'frame'] }, bearer(group.leaderToken));
    const open = fingerprint(fx);
    await answer(alma, { safe: 5, frame: 4 });
    await answer(bert, { safe: 5 });
    await answer(cara, { safe: 2, frame: 4 });
    expect(fingerprint(fx)).toBe(open);
    (fx.clock as ManualClock).advance(EVALUATION_OPEN_MS);
    const results = (await view(bert)).results;
    expect(results).toEqual([
      { closedAt: expect.any(Number), answers: 3, counts: { safe: [0, 1, 0, 0, 2], frame: [0, 0, 0, 2, 0] } },
    ]);
    expect((await view(bert)).open).toBeNull();
    expect((await answer(members[3] as string, { safe: 3 })).status).toBe(409);
  });
});
