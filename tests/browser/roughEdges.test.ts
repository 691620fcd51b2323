/**
 * Rough edges of issue 11, in real Chromium, one context per person, in English, German and
 * Greek (the language comes from the browser's locale, as on a real device): link fields wired
 * to their own labels and Copy buttons named by what they copy (SCREEN-7), one clear choice after
 * an advice nudge (SCREEN-8), presence that does not count the projector (SCREEN-9), settings
 * switches that show a pending state and ignore a second tap (SCREEN-10), disclosures that close
 * after an action and titled tabs (SCREEN-11, SCREEN-12).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { interpolate } from '../../client/src/i18n';
import { de } from '../../client/src/i18n/de';
import { el } from '../../client/src/i18n/el';
import { en, type MessageKey } from '../../client/src/i18n/en';
import { connectRecording, goToPhase } from '../helpers/board-fixture';
import { Api, fragmentParam } from '../helpers/server-fixture';
import {
  createMeeting,
  expectNoSidewaysScroll,
  openPerson,
  poll,
  seatAction,
  useBrowserRun,
  VIEWPORTS,
} from './browser';

const LANGS = { en: ['en-GB', en], de: ['de-DE', de], el: ['el-GR', el] } as const;
type Lang = keyof typeof LANGS;
const ALL: Lang[] = ['en', 'de', 'el'];

/** The catalogue's text for a key, as the page in that language shows it. */
function say(lang: Lang, key: MessageKey, params?: Record<string, string | number>): string {
  return interpolate(LANGS[lang][1][key], params);
}

async function personIn(run: ReturnType<typeof useBrowserRun>, lang: Lang, kind: 'phone' | 'laptop') {
  return openPerson(run.browser, {
    viewport: VIEWPORTS[kind],
    locale: LANGS[lang][0],
    ...(kind === 'phone' ? { isMobile: true, hasTouch: true } : {}),
  });
}

/**
 * Holds what the server sends this page over Socket.IO until `release()`: a busy network made
 * by the test, so "before the answer" is a state the test decides, not a race.
 */
async function holdServerMessages(page: Page) {
  let holding = false;
  const queue: (() => void)[] = [];
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => server.send(m));
    server.onMessage((m) => {
      if (holding) queue.push(() => ws.send(m));
      else ws.send(m);
    });
  });
  return {
    hold: () => void (holding = true),
    held: () => queue.length,
    release: () => {
      holding = false;
      for (const send of queue.splice(0)) send();
    },
  };
}

describe('rough edges on every screen, in three languages', { timeout: 240_000 }, () => {
  const run = useBrowserRun();

  it('SCREEN-7: each link field is named by its own label, each Copy button by what it copies', async () => {
    // Greek first: its labels are the ones a \W-based id used to lose.
    for (const lang of ['el', 'de', 'en'] as const) {
      const { page } = await personIn(run, lang, 'laptop');
      await page.goto(run.server.url);
      await page.waitForFunction((l) => document.documentElement.lang === l, lang);
      await page.getByRole('button', { name: say(lang, 'start.create') }).click();
      await page.getByRole('heading', { name: say(lang, 'start.created') }).waitFor();
      const fields: [MessageKey, RegExp][] = [
        ['start.leaderLink', /\/m\/[^/]+\/lead#t=/],
        ['start.joinLink', /\/join#code=/],
        ['start.projectorLink', /\/m\/[^/]+\/projector#k=/],
      ];
      const ids = await page.locator('.copy-field input').evaluateAll((els) => els.map((e) => e.id));
      expect(new Set(ids).size, `${lang}: ids ${ids.join(', ')}`).toBe(3);
      for (const [key, link] of fields) {
        const label = say(lang, key);
        const input = page.getByLabel(label, { exact: true });
        expect(await input.count(), `${lang}: fields named "${label}"`).toBe(1);
        expect(await input.inputValue()).toMatch(link);
        const copy = page.getByRole('button', {
          name: say(lang, 'common.copyWhat', { what: label }),
          exact: true,
        });
        expect(await copy.count(), `${lang}: Copy button for "${label}"`).toBe(1);
      }
      expect(await page.title()).toBe(`${say(lang, 'title.start')} · Balint Room`);
      await page.context().close();
    }
  });

  it('SCREEN-8: after an advice nudge there is one clear choice, and both choices work', async () => {
    for (const lang of ALL) {
      const meeting = await createMeeting(run.server, {
        title: 'Nudge group',
        templateId: 'classic-90-one-case',
      });
      const leader = await connectRecording(run.server.url, fragmentParam(meeting.leaderLink, 't'), 'leader');
      const { page } = await personIn(run, lang, 'phone');
      await page.goto(meeting.joinLink);
      await page.getByLabel(say(lang, 'join.name'), { exact: true }).fill('Mira Member');
      await page.getByRole('button', { name: say(lang, 'join.submit'), exact: true }).click();
      await page.getByText(say(lang, 'seat.lobby')).waitFor();
      await goToPhase(leader, 'speculation', 0);
      await page.getByRole('button', { name: say(lang, 'rules.ok') }).click();

      const box = page.getByRole('textbox', { name: say(lang, 'seat.noteLabel') });
      const send = page.getByRole('button', { name: say(lang, 'seat.send'), exact: true });
      const anyway = page.getByRole('button', { name: say(lang, 'seat.sendAnyway'), exact: true });
      const back = page.getByRole('button', { name: say(lang, 'seat.backToNote'), exact: true });
      await box.fill('You should refer her to a specialist at once.');
      await send.click();
      await page.getByText(say(lang, 'seat.nudge.advice')).waitFor();
      // One choice in view: send as written, or change the note. The plain Send is gone.
      expect(await send.count()).toBe(0);
      expect(await anyway.count()).toBe(1);
      expect(await back.count()).toBe(1);

      await back.click();
      expect(await page.getByText(say(lang, 'seat.nudge.advice')).count()).toBe(0);
      expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);
      expect(await box.inputValue()).toBe('You should refer her to a specialist at once.');
      await box.fill('I wanted to send her away, to someone else.');
      await send.click();
      await poll(() => box.inputValue()).toBe('');

      await box.fill('Why don’t you simply tell her? You must.');
      await send.click();
      await anyway.click();
      await poll(() => box.inputValue()).toBe('');
      await poll(() => page.getByTestId('my-note').count()).toBe(2);
      await page.context().close();
    }
  });

  it('SCREEN-9: presence counts people, not the projector, which is listed apart', async () => {
    for (const lang of ALL) {
      const meeting = await createMeeting(run.server, {
        title: 'Presence group',
        templateId: 'classic-90-one-case',
      });
      const api = new Api(run.server.url);
      const projector = await api.claimProjector(
        meeting.meetingId,
        fragmentParam(meeting.projectorLink, 'k'),
      );
      await connectRecording(run.server.url, projector.token, 'projector');
      for (const name of ['Ada Member', 'Ben Member']) {
        const seat = await api.join(meeting.joinCode, name);
        await connectRecording(run.server.url, seat.token, name);
      }
      const { page } = await personIn(run, lang, 'laptop');
      await page.goto(meeting.leaderLink);
      const heading = page.locator('#presence-title');
      // The leader and two members: three people; the projector is a screen.
      await poll(() => heading.textContent()).toBe(say(lang, 'lead.presence', { connected: 3, total: 3 }));
      const screens = page.getByTestId('presence-screens');
      await poll(() => screens.textContent()).toContain(say(lang, 'lead.projectorSeat'));
      expect(await screens.textContent()).toContain(say(lang, 'lead.connected'));
      expect(await page.getByTestId('presence').getByRole('listitem').count()).toBe(3);
      expect(await page.title()).toBe(`${say(lang, 'title.console')} · Presence group · Balint Room`);
      await page.context().close();
    }
  });

  it('SCREEN-10: a settings switch shows its pending state and ignores a second tap until the answer', async () => {
    for (const lang of ALL) {
      const meeting = await createMeeting(run.server, {
        title: 'Switch group',
        templateId: 'classic-90-one-case',
      });
      const watcher = await connectRecording(
        run.server.url,
        fragmentParam(meeting.leaderLink, 't'),
        'watcher',
      );
      const { page } = await personIn(run, lang, 'laptop');
      const net = await holdServerMessages(page);
      await page.goto(meeting.leaderLink);
      const lock = page.getByRole('switch', { name: say(lang, 'lead.locked') });
      await lock.waitFor();
      expect(await lock.isChecked()).toBe(false);

      net.hold();
      await lock.click();
      // At once: the switch shows the asked-for position and says it is saving.
      expect(await lock.isChecked()).toBe(true);
      await page.getByText(say(lang, 'common.saving')).waitFor();
      expect(await lock.getAttribute('aria-busy')).toBe('true');
      // The server has the command (the watcher sees the meeting locked), the page has no answer yet.
      await watcher.waitFor((v) => v.locked);
      expect(net.held()).toBeGreaterThan(0);
      // A second tap (forced: the switch says it is busy, and Playwright would wait for it).
      await lock.click({ force: true });
      expect(await lock.isChecked()).toBe(true);

      net.release();
      await poll(() => page.getByText(say(lang, 'common.saving')).count()).toBe(0);
      expect(await lock.isChecked()).toBe(true);
      // The second tap was not sent: the meeting is still locked once every answer is in.
      await watcher.barrier();
      expect(watcher.view.locked).toBe(true);
      expect(watcher.states.filter((v, i, all) => i > 0 && v.locked !== all[i - 1]?.locked)).toHaveLength(1);
      await page.context().close();
    }
  });

  it('SCREEN-11: a person’s “Change” disclosure closes after an action', async () => {
    const meeting = await createMeeting(run.server, {
      title: 'Roles group',
      templateId: 'classic-90-one-case',
    });
    const seat = await new Api(run.server.url).join(meeting.joinCode, 'Cleo Member');
    await connectRecording(run.server.url, seat.token, 'cleo');
    const { page } = await personIn(run, 'en', 'laptop');
    await page.goto(meeting.leaderLink);
    const row = page.getByTestId('presence').getByRole('listitem').filter({ hasText: 'Cleo Member' });
    await seatAction(row, 'Presenter for case 1');
    await poll(() => row.getByText('Presenter', { exact: true }).count()).toBe(1);
    expect(await row.locator('details.presence-more').getAttribute('open')).toBeNull();
    await seatAction(row, 'Make observer');
    await poll(() => row.getByText('Observer', { exact: true }).count()).toBe(1);
    expect(await row.locator('details.presence-more').getAttribute('open')).toBeNull();
    await page.context().close();
  });
  it('SCREEN-11: Greek on a 390 px phone: the console fits the screen, the app name stays on one line', async () => {
    const meeting = await createMeeting(run.server, {
      title: 'Phone group',
      templateId: 'classic-90-one-case',
    });
    const seat = await new Api(run.server.url).join(meeting.joinCode, 'Dora Member');
    await connectRecording(run.server.url, seat.token, 'dora');
    const { page } = await personIn(run, 'el', 'phone');
    await page.goto(meeting.leaderLink);
    await page.locator('#presence-title').waitFor();
    await page
      .getByTestId('presence')
      .getByRole('listitem')
      .filter({ hasText: 'Dora Member' })
      .locator('summary')
      .click();
    await expectNoSidewaysScroll(page, 'Greek console on a phone');
    const brand = await page.locator('.brand').evaluate((el) => {
      const style = getComputedStyle(el);
      return {
        height: el.getBoundingClientRect().height,
        line: parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5,
      };
    });
    expect(brand.height).toBeLessThan(brand.line * 1.5);
    await page.context().close();
  });
});
