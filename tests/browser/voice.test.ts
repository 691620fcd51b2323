/**
 * h/voice in real Chromium, one context per person, in English, German and Greek (the language
 * comes from the browser's locale): push-back prompts on the phone and the projector (PROMPT-2,
 * PROMPT-3), the first-time card once per device (NEW-2), the console tour (NEW-3) and the About
 * page (NEW-1), and a note typed in the console for a member without a phone (PROXY-1, PROXY-3).
 * Screenshots go to artifacts/screenshots/voice-*.png.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { interpolate } from '../../client/src/i18n';
import { de } from '../../client/src/i18n/de';
import { el } from '../../client/src/i18n/el';
import { en, type MessageKey } from '../../client/src/i18n/en';
import { connectRecording, goToPhase } from '../helpers/board-fixture';
import { fragmentParam } from '../helpers/server-fixture';
import { createMeeting, expectAccessible, openPerson, screenshot, useBrowserRun, VIEWPORTS } from './browser';

const LANGS = { en: ['en-GB', en], de: ['de-DE', de], el: ['el-GR', el] } as const;
type Lang = keyof typeof LANGS;
const ALL: Lang[] = ['en', 'de', 'el'];

function say(lang: Lang, key: MessageKey, params?: Record<string, string | number>): string {
  return interpolate(LANGS[lang][1][key], params);
}

type Run = ReturnType<typeof useBrowserRun>;

async function personIn(run: Run, lang: Lang, kind: keyof typeof VIEWPORTS, newcomer = false) {
  return openPerson(run.browser, {
    viewport: VIEWPORTS[kind],
    locale: LANGS[lang][0],
    newcomer,
    ...(kind === 'phone' ? { isMobile: true, hasTouch: true } : {}),
  });
}

async function joinAs(page: Page, lang: Lang, joinLink: string, name: string): Promise<void> {
  await page.goto(joinLink);
  await page.getByLabel(say(lang, 'join.name'), { exact: true }).fill(name);
  await page.getByRole('button', { name: say(lang, 'join.submit'), exact: true }).click();
  await page.waitForURL('**/seat');
}

const promptOn = (page: Page) => page.getByTestId('prompt').locator('blockquote');

describe('h/voice on every screen, in three languages', { timeout: 300_000 }, () => {
  const run = useBrowserRun();

  it('PROMPT-2, PROMPT-3: a prompt chosen in the console is on the phone and the projector in each one’s language, and cleared from both', async () => {
    const meeting = await createMeeting(run.server, {
      title: 'Prompt group',
      templateId: 'classic-90-one-case',
    });
    const leaderSocket = await connectRecording(
      run.server.url,
      fragmentParam(meeting.leaderLink, 't'),
      'leader',
    );
    const { page: console_ } = await personIn(run, 'en', 'laptop');
    await console_.goto(meeting.leaderLink);
    const phones = new Map<Lang, Page>();
    for (const lang of ALL) {
      const { page } = await personIn(run, lang, 'phone');
      await joinAs(page, lang, meeting.joinLink, `Member ${lang.toUpperCase()}`);
      await page.getByText(say(lang, 'seat.lobby')).waitFor();
      phones.set(lang, page);
    }
    const projectors = new Map<Lang, Page>();
    for (const lang of ['en', 'el'] as const) {
      const { page } = await personIn(run, lang, 'projector');
      await page.goto(meeting.projectorLink);
      await page.getByTestId('projector').waitFor();
      projectors.set(lang, page);
    }
    await goToPhase(leaderSocket, 'speculation', 0);

    // The console offers the shipped prompts only now, in push-back.
    const panel = console_.getByTestId('prompt-panel');
    const row = panel.locator('li', { hasText: say('en', 'prompt.be-patient') });
    await row.getByRole('button', { name: say('en', 'prompt.show'), exact: true }).click();
    for (const [lang, page] of phones) {
      await promptOn(page).getByText(say(lang, 'prompt.be-patient'), { exact: true }).waitFor();
      await page.getByText(say(lang, 'prompt.label')).waitFor();
      await screenshot(page, `voice-prompt-phone-${lang}`);
    }
    for (const [lang, page] of projectors) {
      await promptOn(page).getByText(say(lang, 'prompt.be-patient'), { exact: true }).waitFor();
      const px = await promptOn(page).evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
      expect(px, `${lang}: prompt type on the projector`).toBeGreaterThanOrEqual(40);
      await screenshot(page, `voice-prompt-projector-${lang}`);
    }
    await expectAccessible(phones.get('en') as Page, 'phone with a prompt');
    await screenshot(console_, 'voice-prompt-console-en');

    // The leader's own prompt replaces it, in the words the leader wrote, on every screen.
    await panel.getByLabel(say('en', 'prompt.write')).fill('Who is not in the room, and still here?');
    await panel.getByRole('button', { name: say('en', 'prompt.showOwn') }).click();
    for (const page of [...phones.values(), ...projectors.values()]) {
      await promptOn(page).getByText('Who is not in the room, and still here?').waitFor();
    }
    await panel.getByRole('button', { name: say('en', 'prompt.clear') }).click();
    for (const page of [...phones.values(), ...projectors.values()]) {
      await page.getByTestId('prompt').waitFor({ state: 'detached' });
    }
    // The own prompt stays offered for this meeting; leaving push-back clears a shown one.
    const own = panel.getByTestId('own-prompts').locator('li', { hasText: 'Who is not in the room' });
    await own.getByRole('button', { name: say('en', 'prompt.show'), exact: true }).click();
    await promptOn(phones.get('de') as Page).waitFor();
    expect((await leaderSocket.run({ type: 'phase:next' })).ok).toBe(true);
    for (const page of [...phones.values(), ...projectors.values()]) {
      await page.getByTestId('prompt').waitFor({ state: 'detached' });
    }
  });

  it('PROXY-1, PROXY-3: in a named meeting the console writes a note for a member without a phone; the board names the member, not the leader', async () => {
    const meeting = await createMeeting(run.server, {
      title: 'Hybrid room',
      templateId: 'classic-90-one-case',
      leaderName: 'Lena Leader',
    });
    const leaderSocket = await connectRecording(
      run.server.url,
      fragmentParam(meeting.leaderLink, 't'),
      'leader',
    );
    expect((await leaderSocket.run({ type: 'settings:update', anonymity: 'named' })).ok).toBe(true);
    const { page: console_ } = await personIn(run, 'en', 'laptop');
    await console_.goto(meeting.leaderLink);
    const { page: phone } = await personIn(run, 'en', 'phone');
    await joinAs(phone, 'en', meeting.joinLink, 'Mara Phone-Owner');
    await goToPhase(leaderSocket, 'speculation', 0);

    const box = console_.getByTestId('own-note');
    await box.locator('summary').click();
    await box.getByLabel(say('en', 'proxy.forWhom')).fill('Cara Without-Phone');
    await box.getByLabel(say('en', 'seat.noteLabel')).fill('A door that stays half open');
    await box.getByRole('button', { name: say('en', 'seat.send'), exact: true }).click();
    await box.getByText('A door that stays half open').waitFor();
    // Fewer than three wait: the phase's end sends them (REL-4), onto the return phase's board.
    expect((await leaderSocket.run({ type: 'phase:next' })).ok).toBe(true);
    const note = phone.getByTestId('board-note').filter({ hasText: 'A door that stays half open' });
    await note.waitFor();
    expect(await note.locator('.note-name').textContent()).toBe('Cara Without-Phone');
    expect(await phone.getByTestId('board').textContent()).not.toContain('Lena Leader');
    await screenshot(phone, 'voice-proxy-note-phone-en');
  });

  it('NEW-2: a newcomer sees the phases and ground rules before the lobby once per device; other meetings keep their ground rules', async () => {
    for (const lang of ALL) {
      const first = await createMeeting(run.server, { title: 'First', templateId: 'classic-90-one-case' });
      const firstLeader = await connectRecording(run.server.url, fragmentParam(first.leaderLink, 't'), 'l1');
      const { page } = await personIn(run, lang, 'phone', true);
      await joinAs(page, lang, first.joinLink, 'Nina Newcomer');
      const card = page.getByTestId('first-time-card');
      await card.getByRole('heading', { name: say(lang, 'first.title') }).waitFor();
      for (const key of [
        'phase.speculation',
        'rules.confidential',
        'rules.noIdentifiers',
        'rules.noAdvice',
      ] as const) {
        await card.getByText(say(lang, key)).first().waitFor();
      }
      expect(await page.getByText(say(lang, 'seat.lobby')).count()).toBe(0);
      await expectAccessible(page, `${lang}: first-time card`);
      await screenshot(page, `voice-first-card-${lang}`);
      await card.getByRole('button', { name: say(lang, 'first.gotIt') }).click();
      await page.getByText(say(lang, 'seat.lobby')).waitFor();

      // Not again on this device: not after a reload, and the card stood for this meeting's rules.
      await page.reload();
      await page.getByText(say(lang, 'seat.lobby')).waitFor();
      expect(await page.getByTestId('first-time-card').count()).toBe(0);
      await goToPhase(firstLeader, 'speculation', 0);
      await page.getByRole('textbox', { name: say(lang, 'seat.noteLabel') }).waitFor();
      expect(await page.getByTestId('ground-rules').count()).toBe(0);

      // Another meeting on the same device: no card, and its ground rules before the first note.
      const second = await createMeeting(run.server, { title: 'Second', templateId: 'classic-90-one-case' });
      const secondLeader = await connectRecording(
        run.server.url,
        fragmentParam(second.leaderLink, 't'),
        'l2',
      );
      await joinAs(page, lang, second.joinLink, 'Nina Newcomer');
      await page.getByText(say(lang, 'seat.lobby')).waitFor();
      expect(await page.getByTestId('first-time-card').count()).toBe(0);
      await goToPhase(secondLeader, 'speculation', 0);
      await page.getByTestId('ground-rules').waitFor();
      await page.context().close();
    }
  });

  it('NEW-3: a leader’s first console opens with a tour in meeting order, which can be skipped and reopened', async () => {
    for (const lang of ALL) {
      const meeting = await createMeeting(run.server, { title: 'Tour', templateId: 'classic-90-one-case' });
      const { page } = await personIn(run, lang, 'laptop', true);
      await page.goto(meeting.leaderLink);
      const tour = page.getByTestId('console-tour');
      await tour.getByText(say(lang, 'tour.stepOf', { n: 1, total: 8 })).waitFor();
      await tour.getByRole('heading', { name: say(lang, 'tour.invite.title') }).waitFor();
      await tour.getByRole('button', { name: say(lang, 'tour.next') }).click();
      await tour.getByRole('heading', { name: say(lang, 'tour.plan.title') }).waitFor();
      // The region it explains is outlined.
      expect(await page.locator('[data-tour="plan"].tour-focus').count()).toBe(1);
      await expectAccessible(page, `${lang}: console with the tour`);
      await screenshot(page, `voice-tour-${lang}`);
      await tour.getByRole('button', { name: say(lang, 'tour.skip') }).click();
      await tour.waitFor({ state: 'detached' });
      expect(await page.locator('.tour-focus').count()).toBe(0);

      // Remembered on this device; reopened from the console's head, and walked to the end.
      await page.reload();
      await page.getByRole('button', { name: say(lang, 'tour.open') }).waitFor();
      expect(await page.getByTestId('console-tour').count()).toBe(0);
      await page.getByRole('button', { name: say(lang, 'tour.open') }).click();
      const headings: MessageKey[] = [
        'tour.invite.title',
        'tour.plan.title',
        'tour.settings.title',
        'tour.timer.title',
        'tour.presenter.title',
        'tour.board.title',
        'tour.prompts.title',
        'tour.end.title',
      ];
      for (const [i, key] of headings.entries()) {
        await tour.getByRole('heading', { name: say(lang, key) }).waitFor();
        const last = i === headings.length - 1;
        await tour.getByRole('button', { name: say(lang, last ? 'tour.done' : 'tour.next') }).click();
      }
      await tour.waitFor({ state: 'detached' });
      await page.context().close();
    }
  });

  it('NEW-1: the About page tells the history and the phases in three languages, linked from start and join', async () => {
    const facts: Record<Lang, string[]> = {
      en: [
        '1932',
        'Budapest',
        '1939',
        'Tavistock Clinic',
        'Enid Balint',
        '1949',
        'the doctor himself',
        '1957',
        '1972',
        '32',
        'Eginition',
      ],
      de: [
        '1932',
        'Budapest',
        '1939',
        'Tavistock Clinic',
        'Enid Balint',
        '1949',
        'der Arzt selbst',
        '1957',
        '1972',
        '32',
        'Eginition',
      ],
      el: [
        '1932',
        'Βουδαπέστη',
        '1939',
        'Tavistock Clinic',
        'Enid Balint',
        '1949',
        'ο ίδιος ο γιατρός',
        '1957',
        '1972',
        '32',
        'Αιγινήτειο',
      ],
    };
    for (const lang of ALL) {
      const { page } = await personIn(run, lang, 'phone');
      for (const from of [run.server.url, `${run.server.url}/join`]) {
        await page.goto(from);
        await page.getByRole('link', { name: say(lang, 'about.link') }).click();
        await page.waitForURL('**/about');
      }
      const about = page.getByTestId('about');
      await about.getByRole('heading', { name: say(lang, 'about.history.title') }).waitFor();
      const text = (await about.textContent()) ?? '';
      for (const fact of facts[lang]) expect(text, `${lang}: ${fact}`).toContain(fact);
      expect(text).toContain('The Doctor, His Patient and the Illness');
      const phases = about.locator('ol.prose-list li');
      expect(await phases.count()).toBe(7);
      expect(await phases.nth(4).textContent()).toBe(say(lang, 'about.phases.speculation'));
      await expectAccessible(page, `${lang}: about`);
      await screenshot(page, `voice-about-${lang}`);
      await page.context().close();
    }
  });
});
