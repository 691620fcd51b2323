import { describe, expect, it } from 'vitest';
import {
  bearer,
  createGroup,
  joinAndAdmit,
  startGroupMeeting,
  type TestGroup,
} from '../helpers/groupFixtures';
import { fragmentParam, nextEvent, startServer, type ServerFixture } from '../helpers/server-fixture';

interface Debrief {
  id: string;
  text: string;
  version: number;
}

/** One meeting of the group, started and ended: its debrief page is then offered. */
async function meetOnce(fx: ServerFixture, group: TestGroup): Promise<void> {
  const meeting = await startGroupMeeting(fx.api, group);
  const leader = await fx.connect(meeting.leaderToken, 'leader');
  await leader.command({ type: 'meeting:start' });
  const gone = nextEvent(leader.socket, 'meeting:ended');
  await leader.command({ type: 'meeting:end' });
  await gone;
}

describe('the leaders’ debrief (DEBRIEF-1..3)', () => {
  it('DEBRIEF-1/2/3: one page per meeting for leaders only; two leaders saving at once lose nothing; 12 months', async () => {
    const fx = await startServer();
    const group = await createGroup(fx.api);
    const url = `/api/groups/${group.groupId}/debriefs`;
    const alma = await joinAndAdmit(fx.api, group, 'Alma Zyborski');
    const cora = await fx.api.request<{ leaderLink: string }>(
      'POST',
      `/api/groups/${group.groupId}/leaders`,
      { name: 'Cora Vantongeren' },
      bearer(group.leaderToken),
    );
    const coraToken = fragmentParam(cora.body.leaderLink, 't');
    await meetOnce(fx, group);
    const pages = async (token: string) =>
      (await fx.api.request<{ debriefs: Debrief[] }>('GET', url, undefined, bearer(token))).body.debriefs;
    expect((await fx.api.request('GET', url, undefined, bearer(alma))).status).toBe(403);
    const [page] = await pages(group.leaderToken);
    expect(page).toMatchObject({ text: '', version: 0 });
    const put = (token: string, text: string, baseVersion: number) =>
      fx.api.request<{ current?: Debrief }>(
        'PUT',
        `${url}/${page?.id}`,
        { text, baseVersion },
        bearer(token),
      );
    // Both leaders started from version 0: the first save wins, the second is told and gets it back.
    expect((await put(group.leaderToken, 'Lena: the group held the silence well.', 0)).status).toBe(200);
    const crossed = await put(coraToken, 'Cora: I came in too early after the case.', 0);
    expect(crossed.status).toBe(409);
    expect(crossed.body.current).toMatchObject({
      text: 'Lena: the group held the silence well.',
      version: 1,
    });
    const merged = `${crossed.body.current?.text}\n\nCora: I came in too early after the case.`;
    expect((await put(coraToken, merged, 1)).status).toBe(200);
    expect((await pages(group.leaderToken))[0]).toMatchObject({ text: merged, version: 2 });
    expect((await put(alma, 'x', 2)).status).toBe(403);
    // Untouched for 12 months, the page goes (the meeting's session is still listed, empty).
    await fx.advance(367 * 24 * 3_600_000);
    expect((await pages(group.leaderToken))[0]).toMatchObject({ text: '', version: 0 });
  });

  it('DEBRIEF-3, START-5: with DEBRIEF_RETENTION_MONTHS=2 an untouched page goes after two months', async () => {
    const fx = await startServer({ debriefRetentionMonths: 2 });
    const group = await createGroup(fx.api);
    const url = `/api/groups/${group.groupId}/debriefs`;
    await meetOnce(fx, group);
    const pages = async () =>
      (await fx.api.request<{ debriefs: Debrief[] }>('GET', url, undefined, bearer(group.leaderToken))).body
        .debriefs;
    const [page] = await pages();
    const text = 'Lena: we let the silence be.';
    const saved = await fx.api.request(
      'PUT',
      `${url}/${page?.id}`,
      { text, baseVersion: 0 },
      bearer(group.leaderToken),
    );
    expect(saved.status).toBe(200);
    const DAY = 24 * 3_600_000;
    await fx.advance(40 * DAY);
    expect((await pages()).map((d) => d.text)).toEqual([text]);
    await fx.advance(25 * DAY);
    expect((await pages()).map((d) => d.text)).not.toContain(text);
  });
});
