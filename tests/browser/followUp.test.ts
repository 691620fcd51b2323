import { describe, expect, it } from 'vitest';
import { bearer, createGroup, joinAndAdmit, startGroupMeeting } from '../helpers/groupFixtures';
import { Api } from '../helpers/server-fixture';
import { openPerson, poll, screenshot, VIEWPORTS, useBrowserRun } from './browser';

// Generous: a loaded 2-core CI machine may run these several times slower than a desk.
describe('browser: a case followed up at the group’s next meeting', { timeout: 180_000 }, () => {
  const run = useBrowserRun();

  it('FOLLOW-3, FOLLOW-5, FOLLOW-6, FOLLOW-4, FOLLOW-7: the presenter’s yes on her phone, the console’s open follow-up and its one action, the group page’s list', async () => {
    const api = new Api(run.server.url);
    const hub = run.server.app.hub;
    const group = await createGroup(api, 'Thursday Balint group');
    const almaToken = await joinAndAdmit(api, group, 'Alma Zyborski');
    const memberLink = `${run.server.url}/g/join#code=${group.memberCode}`;

    // Alma's phone, in German, already holds her member token (she joined once, GROUP-6).
    const member = await openPerson(run.browser, {
      viewport: VIEWPORTS.phone,
      locale: 'de-DE',
      isMobile: true,
      hasTouch: true,
    });
    await member.page.goto(`${run.server.url}/about`);
    await member.page.evaluate(
      ([groupId, token]) => {
        localStorage.setItem(`balint.group-member.${groupId}`, token ?? '');
        localStorage.setItem('balint.firstCardSeen', 'true');
      },
      [group.groupId, almaToken],
    );

    // The first meeting: Alma presents; at the closing her phone asks whether to keep a label.
    const first = await startGroupMeeting(api, group);
    await member.page.goto(memberLink);
    await member.page.waitForURL(`**/m/${first.meetingId}/seat`);
    await poll(() => hub.state(first.meetingId)?.seats.some((s) => s.name === 'Alma Zyborski')).toBe(true);
    const almaSeat = hub.state(first.meetingId)?.seats.find((s) => s.name === 'Alma Zyborski')?.id ?? '';
    const server = { kind: 'server' } as const;
    expect(
      (await hub.run(first.meetingId, server, { type: 'presenter:set', caseIndex: 0, seatId: almaSeat })).ok,
    ).toBe(true);
    await hub.run(first.meetingId, server, { type: 'meeting:start' });
    const closing = hub.state(first.meetingId)?.phases.find((p) => p.kind === 'closing')?.id ?? '';
    await hub.run(first.meetingId, server, { type: 'phase:jump', phaseId: closing });
    const keep = member.page.getByTestId('keep-label');
    await keep.waitFor();
    await member.page.getByLabel('Stichwort (wenige Wörter)').fill('Der nächtliche Anruf');
    await screenshot(member.page, 'follow-01-presenter-keeps-de');
    await keep.getByRole('button', { name: 'Ja, dieses Stichwort behalten' }).click();
    await member.page.getByTestId('keep-label-kept').waitFor();
    // FOLLOW-6: the end screen says precisely what the group keeps.
    await hub.run(first.meetingId, server, { type: 'meeting:end' });
    await member.page
      .getByTestId('end-body')
      .getByText('Die Gruppe behält Ihre Anwesenheit', { exact: false })
      .waitFor();
    await screenshot(member.page, 'follow-02-end-screen-group-de');

    // The next meeting: the leader's console lists the open follow-up; one action adds the phase.
    const next = await startGroupMeeting(api, group);
    const leader = await openPerson(run.browser, { viewport: VIEWPORTS.laptop, locale: 'en-GB' });
    await leader.page.goto(`${run.server.url}/about`);
    await leader.page.evaluate(() => localStorage.setItem('balint.consoleTourSeen', 'true'));
    await leader.page.goto(next.leaderLink);
    const followUps = leader.page.getByTestId('follow-ups');
    await followUps.getByTestId('follow-up').getByText('Der nächtliche Anruf').waitFor();
    await followUps.getByText('presented by Alma Zyborski', { exact: false }).waitFor();
    await screenshot(leader.page, 'follow-03-console-open-follow-up');
    await followUps.getByRole('button', { name: 'Add a follow-up phase' }).click();
    await leader.page.getByTestId('timeline').getByText('Follow-up').waitFor();
    expect(hub.state(next.meetingId)?.phases.map((p) => p.kind)).toEqual([
      'opening',
      'follow-up',
      'presentation',
      'speculation',
      'closing',
    ]);
    await expect(followUps.getByRole('button', { name: 'Add a follow-up phase' }).isDisabled()).resolves.toBe(
      true,
    );
    await screenshot(leader.page, 'follow-04-console-follow-up-phase');
    await hub.run(next.meetingId, server, { type: 'meeting:end' });
    await poll(() => hub.state(next.meetingId)).toBeNull();

    // FOLLOW-4: the group page: leaders see who presented; members only the label, once shared.
    await leader.page.goto(`${run.server.url}/g/${group.groupId}/lead#t=${group.leaderToken}`);
    const list = leader.page.getByTestId('case-labels');
    await list.getByText('Der nächtliche Anruf').waitFor();
    await list
      .getByTestId('case-label-presenter')
      .getByText('presented by Alma Zyborski', { exact: false })
      .waitFor();
    await member.page.goto(`${run.server.url}/g/${group.groupId}`);
    await member.page.getByRole('heading', { name: 'Thursday Balint group' }).waitFor();
    await list.getByRole('switch', { name: 'Share the list with the members', exact: false }).click();
    await poll(
      async () =>
        (
          await api.request<{ shared: boolean }>(
            'GET',
            `/api/groups/${group.groupId}/labels`,
            undefined,
            bearer(group.leaderToken),
          )
        ).body.shared,
    ).toBe(true);
    await screenshot(leader.page, 'follow-05-group-page-labels');
    await member.page.reload();
    const shared = member.page.getByTestId('case-labels');
    await shared.getByText('Der nächtliche Anruf').waitFor();
    expect(await shared.textContent()).not.toContain('Alma');
    await screenshot(member.page, 'follow-06-member-labels-de');
    // FOLLOW-7: done deletes it.
    await list.getByRole('button', { name: 'Done (delete)' }).click();
    await list.getByText('No case label is kept.').waitFor();

    // START-5: the Privacy page shows the periods this server has in force.
    await leader.page.goto(`${run.server.url}/privacy`);
    await leader.page
      .getByTestId('privacy-group-retention')
      .getByText('18 months', { exact: false })
      .waitFor();
    await leader.page.locator('[data-table="case_labels"]').getByText('6 months', { exact: false }).waitFor();
    await screenshot(leader.page, 'follow-07-privacy');
  });
});
