import { describe, expect, it } from 'vitest';
import { GROUP_STORAGE } from '../../shared/group/storage';
import { openPerson, poll, screenshot, VIEWPORTS, useBrowserRun } from './browser';

// Generous: a loaded 2-core CI machine may run these several times slower than a desk.
describe('browser: a standing group, from the member’s phone', { timeout: 180_000 }, () => {
  const run = useBrowserRun();

  it('GROUP-12, ATT-4/6, CERT-4: the group’s second meeting from the member’s phone with no code typed, attendance, the certificate in three languages', async () => {
    const leader = await openPerson(run.browser, { viewport: VIEWPORTS.laptop, locale: 'en-GB' });
    await leader.page.goto(`${run.server.url}/`);
    await leader.page.getByRole('link', { name: /Create a standing group/ }).click();
    await leader.page.getByLabel('Name of the group').fill('Thursday Balint group');
    await leader.page.getByLabel('Your name, as the group knows you').fill('Lena Leitner-Quast');
    await leader.page.getByLabel('Hybrid (room and online)').check();
    await leader.page.getByRole('button', { name: 'Create the group' }).click();
    await leader.page.getByTestId('recovery-code').waitFor();
    await screenshot(leader.page, 'group-01-created');
    const memberLink = await leader.page.getByLabel('Member link', { exact: true }).inputValue();
    expect(memberLink).toMatch(/\/g\/join#code=/);
    await leader.page.getByRole('link', { name: 'Open the group page' }).click();
    await leader.page.getByRole('heading', { name: 'Thursday Balint group' }).waitFor();
    expect(new URL(leader.page.url()).hash).toBe('');
    const groupPage = leader.page.url();

    // The member, on a phone in German: asks once, with a name.
    const member = await openPerson(run.browser, {
      viewport: VIEWPORTS.phone,
      locale: 'de-DE',
      isMobile: true,
      hasTouch: true,
    });
    await member.page.goto(memberLink);
    await member.page.getByRole('heading', { name: '„Thursday Balint group“ beitreten' }).waitFor();
    await member.page.getByLabel('Ihr Name, wie die Gruppe Sie kennt').fill('Alma Zyborski');
    await member.page.getByRole('button', { name: 'Um Aufnahme bitten' }).click();
    await member.page.getByTestId('group-pending').waitFor();
    await screenshot(member.page, 'group-02-member-pending-de');

    // The leader admits her (the page asks again by itself; a reload is quicker here).
    await leader.page.reload();
    await leader.page.getByTestId('group-requests').getByRole('button', { name: 'Admit' }).click();
    await leader.page.getByTestId('group-roster').getByText('Alma Zyborski').waitFor();
    await screenshot(leader.page, 'group-03-leader-roster');

    for (const round of [1, 2]) {
      await leader.page.getByRole('button', { name: 'Start the meeting now' }).click();
      await leader.page.waitForURL('**/m/*/lead');
      const meetingId = new URL(leader.page.url()).pathname.split('/')[2] ?? '';
      // The member opens the same link again: straight into the meeting, in her own seat.
      await member.page.goto(memberLink);
      await member.page.waitForURL(`**/m/${meetingId}/seat`);
      await member.page.getByText('Die Sitzung hat noch nicht begonnen.').waitFor();
      await leader.page.getByTestId('presence').getByText('Alma Zyborski').waitFor();
      if (round === 2) await screenshot(member.page, 'group-04-second-meeting-phone-de');
      const hub = run.server.app.hub;
      const seats = hub.state(meetingId)?.seats.filter((s) => s.name === 'Alma Zyborski') ?? [];
      expect(seats).toHaveLength(1);
      // The meeting runs (its first phase starts), then ends; the group page offers the next one.
      await hub.run(meetingId, { kind: 'server' }, { type: 'meeting:start' });
      await hub.run(meetingId, { kind: 'server' }, { type: 'meeting:end' });
      await poll(() => hub.state(meetingId)).toBeNull();
      await leader.page.goto(groupPage);
      await leader.page.getByRole('button', { name: 'Start the meeting now' }).waitFor();
    }

    // ATT-4: each ended meeting is proposed; the leader places Alma (a hybrid group) and confirms.
    const proposals = leader.page.getByTestId('session-proposed');
    await poll(() => proposals.count()).toBe(2);
    await proposals.first().getByLabel('Where Alma Zyborski took part').selectOption('room');
    await screenshot(leader.page, 'group-05-attendance-proposed');
    await proposals.first().getByRole('button', { name: 'Confirm attendance' }).click();
    await poll(() => leader.page.getByTestId('session-confirmed').count()).toBe(1);
    // ATT-6: the member sees her own confirmed session and its totals.
    await member.page.goto(memberLink);
    await member.page.getByTestId('member-record').getByText('Insgesamt: 1 Doppelstunden').waitFor();
    await screenshot(member.page, 'group-06-member-record-de');

    // EVAL-1: the leader offers the evaluation; the member answers on her phone.
    await leader.page.getByRole('button', { name: 'Offer the anonymous evaluation' }).click();
    await leader.page.getByRole('button', { name: 'Close the evaluation' }).waitFor();
    await member.page.reload();
    const evaluation = member.page.getByTestId('evaluation');
    await evaluation
      .getByRole('group', { name: 'Ich habe mich in der Gruppe sicher gefühlt.' })
      .getByLabel('4')
      .check();
    await screenshot(member.page, 'group-08-evaluation-de');
    await evaluation.getByRole('button', { name: 'Antworten senden' }).click();
    await evaluation.getByText('Danke: Ihre Antworten sind angekommen.', { exact: false }).waitFor();

    // CERT-4: her certificate, printable on A4, in German, Greek and English.
    await member.page.getByRole('link', { name: 'Ihre Bescheinigung' }).click();
    const certificate = member.page.getByTestId('certificate');
    await certificate.getByText('Teilnahmebescheinigung: Balintgruppe').waitFor();
    await member.page.getByLabel('Ort der Ausstellung').fill('Berlin');
    await certificate.getByText(/^Berlin, den /).waitFor();
    await certificate.getByText('= 2 Stunden Balintgruppenarbeit', { exact: false }).waitFor();
    await member.page.setViewportSize({ width: 900, height: 1200 });
    await screenshot(member.page, 'group-07-certificate-de');
    await member.page.getByLabel('Sprache').selectOption('el');
    await certificate.getByText('Βεβαίωση συμμετοχής: ομάδα Balint').waitFor();
    await screenshot(member.page, 'group-07-certificate-el');
    await member.page.getByLabel('Γλώσσα').selectOption('en');
    await certificate.getByText('Certificate of attendance: Balint group').waitFor();
    await certificate.getByText('= 1.5 hours', { exact: false }).waitFor();
    await screenshot(member.page, 'group-07-certificate-en');
    // GROUP-13: the Privacy page lists every table a group keeps.
    await member.page.emulateMedia({ media: 'screen' });
    await member.page.goto(`${run.server.url}/privacy`);
    const groups = member.page.getByTestId('privacy-groups');
    await groups.waitFor();
    for (const d of GROUP_STORAGE)
      await expect(groups.locator(`[data-table="${d.table}"]`).count()).resolves.toBe(1);
    await member.page.goBack();
    await certificate.waitFor();
    // The page fits A4 when printed: one page, nothing cut at the sides.
    await member.page.emulateMedia({ media: 'print' });
    const pdf = await member.page.pdf({ format: 'A4' });
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length).toBe(1);
  });
});
