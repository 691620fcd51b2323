/**
 * An online meeting's spoken work in real Chromium (SPEC.md SPEAK, VIEW-6): an opening round with
 * a time per speaker, case intake, raised hands during questions and a closing round with the
 * presenter last. Leader (English), members in German (clock 7 minutes fast), Greek and English,
 * and the projector in English, German and Greek. Screenshots: artifacts/screenshots/spoken-*.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createMeeting, openPerson, poll, screenshot, useBrowserRun, VIEWPORTS } from './browser';

const SEVEN_MINUTES_MS = 7 * 60_000;
/** The turn's time left as the page itself computes it now, from its own clock. */
const turnLeftMs = (page: Page) =>
  page.evaluate(() => {
    const el = document.querySelector('[data-testid="turn-time"]');
    const endsLocal = Number(el?.getAttribute('data-ends-local'));
    return endsLocal - Date.now();
  });

describe('browser: the spoken work in an online meeting', { timeout: 240_000 }, () => {
  const run = useBrowserRun();

  it('ROUND-6, ROUND-9, HANDS-2, INTAKE-4, VIEW-6: opening round, intake, hands in questions, closing round', async () => {
    const meeting = await createMeeting(run.server, {
      title: 'Online group',
      leaderName: 'Lena Leitner',
      format: 'online',
    });
    const leader = await openPerson(run.browser, { viewport: VIEWPORTS.laptop, locale: 'en-GB' });
    await leader.page.goto(meeting.leaderLink);
    await leader.page.getByRole('button', { name: 'Start the meeting' }).waitFor();

    const phone = { viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true };
    const join = async (name: string, locale: string, label: string, button: string, clockShiftMs = 0) => {
      const person = await openPerson(run.browser, { ...phone, locale, clockShiftMs });
      await person.page.goto(meeting.joinLink);
      await person.page.getByLabel(label).fill(name);
      await person.page.getByRole('button', { name: button }).click();
      await person.page.waitForURL(`**/m/${meeting.meetingId}/seat`);
      await leader.page.getByTestId('presence').getByText(name).waitFor();
      return person.page;
    };
    const alma = await join(
      'Alma Zyborski',
      'de-DE',
      'Ihr Name, wie die Gruppe Sie kennt',
      'Beitreten',
      SEVEN_MINUTES_MS,
    );
    const bert = await join('Βέρτης Οκονκβο', 'el-GR', 'Το όνομά σας, όπως σας ξέρει η ομάδα', 'Συμμετοχή');
    const cora = await join('Cora Vantongeren', 'en-GB', 'Your name, as the group knows you', 'Join');
    const projectors: Record<string, Page> = {};
    for (const locale of ['en-GB', 'de-DE', 'el-GR']) {
      const p = await openPerson(run.browser, { viewport: VIEWPORTS.projector, locale });
      await p.page.goto(meeting.projectorLink);
      await p.page.getByTestId('projector-code').waitFor();
      projectors[locale.slice(0, 2)] = p.page;
    }
    const [pen, pde, pel] = [projectors.en, projectors.de, projectors.el] as Page[];
    if (!pen || !pde || !pel) throw new Error('three projectors');

    // Opening: the console offers an opening round online; 40 s per speaker, shown to the speaker.
    await leader.page.getByRole('button', { name: 'Start the meeting' }).click();
    await leader.page.locator('[data-testid="phase-name"][data-phase="opening"]').waitFor();
    await leader.page.getByTestId('round-seconds').fill('40');
    await leader.page.getByLabel('The speaker sees their time').check();
    await leader.page.getByRole('button', { name: 'Start an opening round' }).click();

    // Alma (German, clock 7 minutes fast) has the stone; everyone sees whose turn and who is next.
    await alma.getByTestId('your-turn').getByText('Sie sind dran').waitFor();
    await bert.getByText('Τώρα μιλά: Alma Zyborski').waitFor();
    await cora.getByText('Now speaking: Alma Zyborski').waitFor();
    await cora.getByText('Next: Βέρτης Οκονκβο').waitFor();
    await pen.getByText('Now speaking: Alma Zyborski').waitFor();
    await pde.getByText('Jetzt spricht: Alma Zyborski').waitFor();
    await pel.getByText('Μετά: Βέρτης Οκονκβο').waitFor();
    // The projector shows exactly the two names.
    expect(await pen.getByText('Cora Vantongeren').count()).toBe(0);
    // Online, the wall shows no phase prompt (FORMAT-2: that is for groups in a room).
    expect(await pen.getByTestId('projector-hint').count()).toBe(0);
    // The speaker's time, rendered on a clock 7 minutes off, matches the leader's within 250 ms.
    await alma.getByTestId('turn-time').waitFor();
    await leader.page.getByTestId('turn-time').waitFor();
    const [lead, hers] = await Promise.all([turnLeftMs(leader.page), turnLeftMs(alma)]);
    expect(lead).toBeGreaterThan(20_000);
    expect(lead).toBeLessThanOrEqual(40_000);
    expect(Math.abs(lead - hers)).toBeLessThanOrEqual(250);
    // Others do not see the speaker's time.
    expect(await cora.getByTestId('turn-time').count()).toBe(0);
    await screenshot(leader.page, 'spoken-01-leader-opening-round');
    await screenshot(alma, 'spoken-01-phone-your-turn-de');
    await screenshot(cora, 'spoken-01-phone-round-en');
    await screenshot(bert, 'spoken-01-phone-round-el');
    await screenshot(pen, 'spoken-01-projector-round-en');
    await screenshot(pde, 'spoken-01-projector-round-de');
    await screenshot(pel, 'spoken-01-projector-round-el');

    // The leader moves the stone; Bert passes (the stone stays until the leader moves it).
    await leader.page.getByRole('button', { name: 'Next speaker' }).click();
    await bert.getByText('Σειρά σας').waitFor();
    await bert.getByRole('button', { name: 'Πάσο' }).click();
    await leader.page.getByText('(passed)').waitFor();
    await screenshot(bert, 'spoken-02-phone-passed-el');
    await leader.page.getByRole('button', { name: 'Next speaker' }).click();
    await cora.getByText('Your turn').waitFor();
    await screenshot(cora, 'spoken-02-phone-your-turn-en');
    await leader.page.getByRole('button', { name: 'End the round' }).click();
    await poll(() => pen.getByTestId('projector-round').count()).toBe(0);

    // Who has a case? Cora volunteers with a label; the leader picks her.
    await leader.page.getByRole('button', { name: 'Next phase' }).click();
    await leader.page.getByRole('button', { name: 'Open case intake' }).click();
    await cora.getByLabel('A short label (optional)').fill('the father who keeps calling');
    await cora.getByRole('button', { name: 'I have a case' }).click();
    await cora.getByText('You have offered a case.').waitFor();
    await alma.getByTestId('volunteers').getByText('Cora Vantongeren').waitFor();
    expect(await alma.getByText('the father who keeps calling').count()).toBe(0);
    await leader.page.getByText('the father who keeps calling').waitFor();
    await screenshot(leader.page, 'spoken-03-leader-intake');
    await screenshot(alma, 'spoken-03-phone-intake-de');
    await screenshot(cora, 'spoken-03-phone-intake-en');
    await leader.page.getByRole('button', { name: 'This case is presented' }).click();
    await cora.getByText('You are: Presenter').waitFor();
    expect(await pen.getByText('the father who keeps calling').count()).toBe(0);

    // Questions: hands go up in order; members see their place, the leader the order.
    await leader.page.getByRole('button', { name: 'Go here: Questions' }).click();
    await alma.locator('[data-testid="phase-name"][data-phase="questions"]').waitFor();
    await alma.getByRole('button', { name: 'Hand heben' }).click();
    await alma.getByText('Sie sind Nummer 1.').waitFor();
    await bert.getByRole('button', { name: 'Σηκώνω το χέρι' }).click();
    await bert.getByText('Είστε νούμερο 2.').waitFor();
    await cora.getByText('Hands up: 2').waitFor();
    const queue = leader.page.getByTestId('hand-queue');
    await poll(() => queue.getByRole('listitem').allTextContents()).toEqual([
      'Alma Zyborski',
      'Βέρτης Οκονκβο',
    ]);
    await screenshot(leader.page, 'spoken-04-leader-hands');
    await screenshot(alma, 'spoken-04-phone-hand-de');
    await screenshot(bert, 'spoken-04-phone-hand-el');
    await screenshot(cora, 'spoken-04-phone-hands-en');
    await leader.page.getByRole('button', { name: 'Call the next' }).click();
    await bert.getByText('Τον λόγο έχει Alma Zyborski.').waitFor();
    await alma.getByText('Alma Zyborski hat das Wort.').waitFor();
    await screenshot(pen, 'spoken-04-projector-questions-en');

    // Closing: a round with the presenter last.
    await leader.page.getByRole('button', { name: 'Go here: Closing reflection' }).click();
    await leader.page.locator('[data-testid="phase-name"][data-phase="closing"]').waitFor();
    await leader.page.getByTestId('round-order').selectOption('presenter-last');
    await leader.page.getByTestId('round-seconds').fill('');
    await leader.page.getByRole('button', { name: 'Start a round' }).click();
    await alma.getByText('Sie sind dran').waitFor();
    const entries = leader.page.locator('.round-entries li');
    await poll(() => entries.allTextContents()).toEqual([
      'Alma Zyborski ',
      'Βέρτης Οκονκβο ',
      'Cora Vantongeren ',
    ]);
    await pde.getByText('Danach: Βέρτης Οκονκβο').waitFor();
    await screenshot(leader.page, 'spoken-05-leader-closing-round');
    await screenshot(pen, 'spoken-05-projector-closing-en');
    await screenshot(pde, 'spoken-05-projector-closing-de');
    await screenshot(pel, 'spoken-05-projector-closing-el');
    await screenshot(alma, 'spoken-05-phone-closing-de');
    await screenshot(bert, 'spoken-05-phone-closing-el');
    await screenshot(cora, 'spoken-05-phone-closing-en');
  });
});
