/**
 * A whole two-case meeting (template classic-90-two-cases) in real Chromium, one browser context
 * per person: a leader, a co-leader, a presenter, three members and the room's projector. Every
 * phase is walked through; in each, every screen is checked with axe-core and photographed in
 * English, German and Greek (the language is switched in place, the meeting is not rerun).
 * No sleeps: every wait is for a condition.
 */
import type { BrowserContext, Download, Page, WebSocketRoute } from 'playwright-core';
import { io } from 'socket.io-client';
import type { ErrorCode } from '../../shared/errors';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import { describe, expect, it } from 'vitest';
import {
  expectAccessible,
  expectNoSidewaysScroll,
  openPerson,
  poll,
  screenshot,
  seatAction,
  shownSeconds,
  switchLanguage,
  VIEWPORTS,
  useBrowserRun,
} from './browser';

/** Generous for a loaded 2-core CI machine: a wait that finds its condition returns at once. */
const WAIT_MS = 20_000;
const LANGS = ['en', 'de', 'el'] as const;
type Lang = (typeof LANGS)[number];
const NAMES = {
  leader: 'Lena Leitner',
  coLeader: 'Dana Dimitriou',
  presenter: 'Paul Presswick',
  p1: 'Alma Zyborski',
  p2: 'Bert Okonkwo-Ray',
  p3: 'Cora Vantongeren',
};

/** Counts the tones a page makes with WebAudio (the leader's chime). */
const COUNT_TONES = `(() => {
  const Real = globalThis.AudioContext;
  globalThis.__tones = 0;
  if (!Real) return;
  globalThis.AudioContext = class extends Real {
    createOscillator() {
      globalThis.__tones += 1;
      return super.createOscillator();
    }
  };
})();`;

const tones = (p: Person) => p.page.evaluate(() => (globalThis as unknown as { __tones: number }).__tones);

interface Person {
  label: string;
  name: string;
  context: BrowserContext;
  page: Page;
}

describe('a whole two-case meeting, seven people, three languages', () => {
  const run = useBrowserRun();

  it('runs through every phase on every screen', { timeout: 900_000 }, async () => {
    const open = async (label: string, name: string, kind: 'phone' | 'laptop' | 'projector') => {
      const { context, page } = await openPerson(run.browser, {
        viewport: VIEWPORTS[kind],
        locale: 'en-GB',
        ...(kind === 'phone' ? { isMobile: true, hasTouch: true } : {}),
      });
      context.setDefaultTimeout(WAIT_MS);
      await context.addInitScript({ content: COUNT_TONES });
      return { label, name, context, page } satisfies Person;
    };

    // --- The leader creates the meeting on the start page ---------------------------------
    const leader = await open('leader', NAMES.leader, 'laptop');
    await leader.page.goto(run.server.url);
    await leader.page.getByLabel('Title (optional)').fill('Thursday Balint group');
    await leader.page.getByLabel('Your name, as the group knows you (optional)').fill(NAMES.leader);
    await leader.page.getByLabel('Plan').selectOption('classic-90-two-cases');
    await snapshotLanguages([leader], '00-start', LANGS);
    await leader.page.getByRole('button', { name: 'Create meeting' }).click();
    await leader.page.getByRole('heading', { name: 'Your meeting is ready' }).waitFor();
    const joinLink = await leader.page.getByLabel('Link for the group', { exact: true }).inputValue();
    const projectorLink = await leader.page.getByLabel('Projector link', { exact: true }).inputValue();
    await snapshotLanguages([leader], '01-created', LANGS);
    await leader.page.getByRole('link', { name: 'Open the leader console' }).click();
    await leader.page.getByRole('button', { name: 'Start the meeting' }).waitFor();
    const meetingId = new URL(leader.page.url()).pathname.split('/')[2] as string;

    // --- The room's projector, and everyone joining from the group's link -----------------
    const projector = await open('projector', '', 'projector');
    await projector.page.goto(projectorLink);
    await projector.page.getByTestId('projector-code').waitFor();

    // Alma's connection is the one the test will cut: it owns her WebSockets (meeting and board).
    const alma = await open('p1-alma', NAMES.p1, 'phone');
    const almaNet = await controlNetwork(alma.page);

    const join = async (person: Person, snapshot = false) => {
      await person.page.goto(joinLink);
      if (snapshot) await snapshotLanguages([person], '01-join', LANGS);
      await person.page.getByLabel('Your name, as the group knows you').fill(person.name);
      await person.page.getByRole('button', { name: 'Join', exact: true }).click();
      await person.page.waitForURL(`**/m/${meetingId}/seat`);
      await person.page.getByText('The meeting has not started yet.').waitFor();
    };
    const coLeader = await open('coleader', NAMES.coLeader, 'laptop');
    const presenter = await open('presenter-paul', NAMES.presenter, 'phone');
    const bert = await open('p2-bert', NAMES.p2, 'phone');
    const cora = await open('p3-cora', NAMES.p3, 'phone');
    await join(presenter, true);
    for (const person of [coLeader, alma, bert, cora]) await join(person);

    const presence = leader.page.getByTestId('presence');
    const row = (name: string) => presence.getByRole('listitem').filter({ hasText: name });
    await row(NAMES.p3).waitFor();
    // Dana co-leads: her page turns into the console, with the seat she joined with.
    await seatAction(row(NAMES.coLeader), 'Make co-leader');
    await coLeader.page.waitForURL(`**/m/${meetingId}/lead`);
    await coLeader.page.getByRole('button', { name: 'Start the meeting' }).waitFor();
    // Paul presents the first case, Alma the second.
    await seatAction(row(NAMES.presenter), 'Presenter for case 1');
    await seatAction(row(NAMES.p1), 'Presenter for case 2');
    await presenter.page.getByText('You are: Presenter').waitFor();

    const members = [alma, bert, cora];
    const everyone = [leader, coLeader, presenter, ...members, projector];
    await checkStep(everyone, '02-lobby', LANGS);

    // --- Case 1 ------------------------------------------------------------------------
    await leader.page.getByRole('button', { name: 'Start the meeting' }).click();
    await allInPhase(everyone, 'presentation');
    await presenter.page.getByRole('heading', { name: 'You are presenting' }).waitFor();
    await expectNoTextField(presenter.page);
    // The projector is calm: the phase name, no board.
    expect(await projector.page.getByTestId('board').count()).toBe(0);
    await checkStep(everyone, '03-case1-presentation');

    await next(leader, everyone, 'questions');
    // Screen readers hear the new phase (the live region is polite and rate-limited).
    for (const p of [bert, presenter, projector]) {
      await poll(() => p.page.getByTestId('live').textContent()).toContain('Now: Questions');
    }
    await expectNoTextField(presenter.page);
    // Each member sees the ground rules once, before the first note.
    for (const m of members) {
      await m.page.getByTestId('ground-rules').waitFor();
      await m.page.getByRole('button', { name: 'I understand' }).click();
      await m.page.getByTestId('composer').waitFor();
    }
    const question = 'What did she say when she left the room?';
    await post(bert, question);
    // Questions are the only kind now: no lens to choose.
    expect(await bert.page.getByRole('radio').count()).toBe(0);
    await checkStep(everyone, '04-case1-questions');

    // --- Push-back: the board fills; the presenter listens ------------------------------
    await next(leader, everyone, 'speculation');
    await presenter.page.getByTestId('listening').waitFor();
    await expectNoTextField(presenter.page);
    // BOARD-11: the question asked before is not on the push-back board; it starts empty.
    await projector.page.getByTestId('board-empty').waitFor();
    expect(await projector.page.getByText(question).count()).toBe(0);

    const heavy = 'A heaviness, as if the room had no windows.';
    const angry = 'I felt angry on her behalf, then ashamed of it.';
    const fog = 'The doctor seems to be walking in fog.';
    await postWaiting(cora, heavy, 'Feeling');
    await postWaiting(bert, angry, 'Feeling');
    await postWaiting(cora, fog, 'Image or fantasy');
    // Three waiting notes make a batch (REL-4: a leader's release sends it at once, instead of
    // after its random delay): they reach every screen, in no order and with no name.
    const leaderBoard = leader.page.getByTestId('board-panel');
    await leaderBoard.getByRole('button', { name: 'Release waiting notes now' }).click();
    for (const page of [projector.page, presenter.page, bert.page]) {
      for (const text of [heavy, angry, fog]) await page.getByText(text).first().waitFor();
      // BOARD-11: the question is the leaders' from push-back on, on no board.
      expect(await page.getByTestId('board').getByText(question).count()).toBe(0);
    }

    // ... and hear that notes arrived, grouped, not one by one.
    await poll(() => presenter.page.getByTestId('live').textContent()).toMatch(/new notes on the board/);

    // Alma's network goes away while she writes; her note waits on her phone and goes once.
    await almaNet.cut();
    await alma.page.getByTestId('offline-banner').waitFor();
    const offline = 'Something in me wanted to leave the consultation early.';
    await post(alma, offline, 'The doctor’s view');
    const almaNote = alma.page.getByTestId('my-note').filter({ hasText: offline });
    await almaNote.getByText('Sending…').waitFor();
    await screenshot(alma.page, 'meeting/05-case1-speculation-p1-alma-offline-en');
    await expectAccessible(alma.page, 'member offline');
    await almaNet.restore();
    await almaNote.getByText('Waiting for the next batch').waitFor({ timeout: 30_000 });
    await poll(() => alma.page.getByTestId('offline-banner').count()).toBe(0);

    // A lone note waits (REL-4); with two more the leader's release sends it, exactly once.
    await postWaiting(bert, 'The clock on the wall seemed louder than her voice.', 'Association');
    await postWaiting(cora, 'I wanted to open a window.', 'Feeling');
    await leaderBoard.getByRole('button', { name: 'Release waiting notes now' }).click();
    await leaderBoard.getByTestId('lead-note').filter({ hasText: offline }).waitFor();
    await almaNote.getByText('On the board').waitFor();
    expect(await leaderBoard.getByTestId('lead-note').filter({ hasText: offline }).count()).toBe(1);
    await projector.page.getByText(offline).waitFor();
    expect(await projector.page.getByText(offline).count()).toBe(1);

    // Advice is nudged; the author may still send it, and a leader parks it.
    const advice = 'You should refer her on to someone else.';
    await alma.page.getByRole('radio', { name: 'Association' }).check();
    await alma.page.getByRole('textbox', { name: 'Your note' }).fill(advice);
    await alma.page.getByRole('button', { name: 'Send', exact: true }).click();
    await alma.page.getByText('This sounds like advice.', { exact: false }).waitFor();
    await alma.page.getByRole('button', { name: 'Send anyway' }).click();
    await alma.page
      .getByTestId('my-note')
      .filter({ hasText: advice })
      .getByText('Waiting for the next batch')
      .waitFor();
    await postWaiting(bert, 'Her hands stayed in her lap the whole time.', 'Association');
    await postWaiting(cora, 'I thought of my own first year on the ward.', 'Association');
    await leaderBoard.getByRole('button', { name: 'Release waiting notes now' }).click();
    const card = (text: string) => leaderBoard.getByTestId('lead-note').filter({ hasText: text });
    await card(advice).waitFor();
    await projector.page.getByTestId('board').getByText(advice).waitFor();
    await card(advice).getByLabel('Place').selectOption({ label: 'Parking lot' });
    // SCREEN-2: the room's screen leaves the parking lot out (it is in the presenter's sight).
    await poll(() => projector.page.getByText(advice).count()).toBe(0);
    // BOARD-9: the lot is the leaders'; this leader keeps it for the export.
    await leaderBoard.getByLabel('Parking lot', { exact: true }).selectOption('export');
    await leaderBoard.getByTestId('parked-note').filter({ hasText: advice }).waitFor();

    // Themes: one made and filled by drag and drop, one by the keyboard's "place" menu.
    await leaderBoard.getByLabel('New theme').fill('Helplessness');
    await leaderBoard.getByRole('button', { name: 'Add theme' }).click();
    const column = (name: string) =>
      leaderBoard.getByTestId('theme-column').filter({ has: leader.page.getByRole('heading', { name }) });
    await column('Helplessness').waitFor();
    // The first card under "Not in a theme" (the board's order is random) is picked up by its edge
    // (its middle holds the menu and buttons) and dropped on the theme next to it.
    const unsorted = column('Not in a theme').getByTestId('lead-note').first();
    const dragged = (await unsorted.locator('.note-text').textContent()) ?? '';
    await unsorted.dragTo(column('Helplessness'), { sourcePosition: { x: 12, y: 10 }, steps: 8 });
    await column('Helplessness').getByText(dragged).waitFor();
    // Another goes by the keyboard: its "place" menu.
    const keyed = [angry, heavy, fog].find((text) => text !== dragged) as string;
    await leaderBoard.getByLabel('New theme').fill('Anger and shame');
    await leaderBoard.getByLabel('New theme').press('Enter');
    await column('Anger and shame').waitFor();
    await card(keyed).getByLabel('Place').focus();
    await card(keyed).getByLabel('Place').selectOption({ label: 'Anger and shame' });
    await column('Anger and shame').getByText(keyed).waitFor();
    await card(fog).getByRole('button', { name: 'Highlight' }).click();
    await poll(() => card(fog).getByRole('button', { name: 'Highlight' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    // Everyone's board follows the leader's arrangement.
    await bert.page.locator('.board-group[data-theme="Helplessness"]').getByText(dragged).waitFor();
    await bert.page.locator('.board-group[data-theme="Anger and shame"]').getByText(keyed).waitFor();
    await bert.page.locator('.note.is-highlight').filter({ hasText: fog }).waitFor();
    // The projector has a board of its own (pages, large type), arranged the same way.
    await projector.page.locator('.pboard-group[data-theme="Helplessness"]').getByText(dragged).waitFor();
    await projector.page.locator('.pboard-group[data-theme="Anger and shame"]').getByText(keyed).waitFor();
    await projector.page.locator('.pnote.is-highlight').filter({ hasText: fog }).waitFor();

    // Screening: the leader reads a note before it is released.
    const releaseMode = leaderBoard.getByLabel('How notes reach the board');
    await releaseMode.selectOption('screening');
    // The menu shows the server's setting: it reads "screening" once the server has it.
    await poll(() => releaseMode.inputValue()).toBe('screening');
    const screened = 'The patient’s silence filled the whole room.';
    await postWaiting(cora, screened, 'The patient’s view');
    await postWaiting(bert, 'A wish to be told what to do.', 'The patient’s view');
    await postWaiting(bert, 'Relief when the hour was over.', 'Feeling');
    // Anonymity first: it leaves Cora in a batch of three (here released by the leader), then
    // waits for reading.
    await leaderBoard.getByRole('button', { name: 'Release waiting notes now' }).click();
    await cora.page
      .getByTestId('my-note')
      .filter({ hasText: screened })
      .getByText('Waiting for a leader')
      .waitFor();
    const queue = leaderBoard.getByTestId('screening');
    await queue.getByText(screened).waitFor();
    await checkStep([leader], '05-case1-speculation-screening');
    await queue
      .getByRole('listitem')
      .filter({ hasText: screened })
      .getByRole('button', { name: 'Release' })
      .click();
    await projector.page.getByText(screened).waitFor();
    await releaseMode.selectOption('batch');
    await poll(() => releaseMode.inputValue()).toBe('batch');

    // The co-leader hides a note and shows it again.
    const coBoard = coLeader.page.getByTestId('board-panel');
    await coBoard
      .getByTestId('lead-note')
      .filter({ hasText: fog })
      .getByRole('button', { name: 'Hide' })
      .click();
    await poll(() => projector.page.getByText(fog).count()).toBe(0);
    await coBoard.locator('.hidden-notes').getByText(fog).waitFor();
    await coBoard
      .locator('.hidden-notes li')
      .filter({ hasText: fog })
      .getByRole('button', { name: 'Show again' })
      .click();
    await projector.page.getByText(fog).waitFor();

    // A leader writes a note too: through the server, with no author on the board.
    await leaderBoard.getByText('Write a note: your own, or for a member without a phone').click();
    const leaderNote = 'I notice I want to rescue the doctor.';
    await leaderBoard.getByRole('textbox', { name: 'Your note' }).fill(leaderNote);
    await leaderBoard.getByRole('button', { name: 'Send', exact: true }).click();
    await leaderBoard
      .getByTestId('my-note')
      .filter({ hasText: leaderNote })
      .getByText('Waiting for the next batch')
      .waitFor();
    await postWaiting(bert, 'The doctor as a lighthouse keeper.', 'Image or fantasy');
    await postWaiting(cora, 'Something unsaid about the family.', 'Association');
    await leaderBoard.getByRole('button', { name: 'Release waiting notes now' }).click();
    await projector.page.getByText(leaderNote).waitFor();

    // The leader reloads mid-phase and keeps control.
    await leader.page.reload();
    await leader.page.locator('[data-testid="phase-name"][data-phase="speculation"]').waitFor();
    await column('Helplessness').getByText(dragged).waitFor();
    const before = await shownSeconds(leader.page);
    await leader.page.getByRole('button', { name: '+5 min' }).click();
    await poll(() => shownSeconds(projector.page)).toBeGreaterThan(before + 200);

    // The presenter still cannot post: no field, and the server refuses a note sent with their seat.
    await expectNoTextField(presenter.page);
    await expectRefusedNote(run.server.url, presenter.page, meetingId, 'presenter-listening');
    expect(await projector.page.getByText(NAMES.p1).count()).toBe(0);
    await checkStep(everyone, '05-case1-speculation', LANGS);
    // The same screens in a dark colour scheme keep their contrast too.
    for (const p of [leader, presenter, bert]) {
      await p.page.emulateMedia({ colorScheme: 'dark' });
      await expectAccessible(p.page, `dark ${p.label}`);
      await screenshot(p.page, `meeting/05-case1-speculation-${p.label}-en-dark`);
      await p.page.emulateMedia({ colorScheme: 'light' });
    }

    // --- Presenter return: Paul marks what resonated -----------------------------------
    await next(leader, everyone, 'return');
    await presenter.page.getByRole('heading', { name: 'Your turn again' }).waitFor();
    await presenter.page
      .getByTestId('board-note')
      .filter({ hasText: heavy })
      .getByRole('button', { name: 'Mark as resonating' })
      .click();
    await card(heavy).getByText('Resonated').waitFor();
    // SCREEN-2: the room's screen never shows resonance (it would rank the group's notes).
    await projector.page.getByTestId('board-note').filter({ hasText: heavy }).waitFor();
    expect(await projector.page.getByText('Resonated').count()).toBe(0);
    await checkStep(everyone, '06-case1-return');

    // --- Case 2: Alma presents; the first case's board leaves every screen ---------------
    await next(leader, everyone, 'presentation');
    await alma.page.getByRole('heading', { name: 'You are presenting' }).waitFor();
    await presenter.page.getByText('You are: Member').waitFor();
    for (const page of [projector.page, bert.page]) expect(await page.getByText(heavy).count()).toBe(0);
    await checkStep(everyone, '07-case2-presentation');

    await next(leader, everyone, 'questions');
    await expectNoTextField(alma.page);
    await post(presenter, 'How long has she been coming to the practice?');
    await checkStep(everyone, '08-case2-questions');

    await next(leader, everyone, 'speculation');
    await alma.page.getByTestId('listening').waitFor();
    await expectNoTextField(alma.page);
    const second = ['A locked drawer that nobody opens.', 'Tired, very tired.', 'A child waiting at a door.'];
    await post(bert, second[0] as string, 'Image or fantasy');
    await post(cora, second[1] as string, 'Feeling');
    await post(presenter, second[2] as string, 'Image or fantasy');
    for (const page of [projector.page, alma.page, bert.page]) {
      for (const text of second) await page.getByTestId('board').getByText(text).waitFor();
      // The second case has its own board: nothing of the first is shown.
      for (const text of [heavy, angry, fog, offline, advice])
        expect(await page.getByText(text).count()).toBe(0);
    }
    await checkStep(everyone, '09-case2-speculation');

    await next(leader, everyone, 'return');
    await alma.page
      .getByTestId('board-note')
      .filter({ hasText: second[2] as string })
      .getByRole('button', { name: 'Mark as resonating' })
      .click();
    await card(second[2] as string)
      .getByText('Resonated')
      .waitFor();
    await checkStep(everyone, '10-case2-return');

    // --- Closing: a gentle warning two minutes before the end, then the export ---------
    // The leader turns the soft chime on (it plays once, to be heard); members never make a sound.
    await leader.page.getByRole('switch', { name: 'Soft chime two minutes before a phase ends' }).check();
    await poll(() => tones(leader)).toBe(2);
    await next(leader, everyone, 'closing');
    await leader.page.getByRole('button', { name: '−1 min' }).click();
    await poll(() => shownSeconds(leader.page)).toBeLessThanOrEqual(180);
    await leader.page.getByRole('button', { name: '−1 min' }).click();
    await leader.page.getByTestId('time-warning').waitFor();
    await poll(() => tones(leader)).toBe(4);
    for (const p of [presenter, ...members, projector, coLeader]) expect(await tones(p)).toBe(0);
    await poll(() => leader.page.getByTestId('live').textContent()).toContain('Two minutes left');

    // Export: a Markdown file and a printable page, both cases, no author anywhere.
    const [download] = await Promise.all([
      leader.page.waitForEvent('download'),
      leader.page.getByRole('button', { name: 'Download (Markdown)' }).click(),
    ]);
    const markdown = await readDownload(download);
    expect(markdown).toContain('# Thursday Balint group');
    expect(markdown).toContain('## Case 1');
    expect(markdown).toContain('## Case 2');
    expect(markdown).toContain('### Helplessness');
    expect(markdown).toContain('A heaviness, as if the room had no windows.');
    expect(markdown).toContain('### Parking lot');
    for (const name of Object.values(NAMES)) expect(markdown).not.toContain(name);
    await leader.page.getByRole('button', { name: 'Printable page' }).click();
    const print = leader.page.getByTestId('print-view');
    await print.getByRole('heading', { name: 'Helplessness' }).waitFor();
    await print.getByText(second[0] as string).waitFor();
    for (const name of Object.values(NAMES)) expect(await print.getByText(name).count()).toBe(0);
    await leader.page.emulateMedia({ media: 'print' });
    await screenshot(leader.page, 'meeting/11-export-print-en');
    await leader.page.emulateMedia({ media: 'screen' });
    await expectAccessible(leader.page, 'printable export');
    await print.getByRole('button', { name: 'Back to the console' }).click();
    await leader.page.getByTestId('board-panel').waitFor();
    await checkStep(everyone, '11-closing', LANGS);

    // --- The end, for everyone -----------------------------------------------------------
    leader.page.once('dialog', (dialog) => void dialog.accept());
    await leader.page.getByRole('button', { name: 'End the meeting' }).click();
    for (const p of everyone) await p.page.getByTestId('end-screen').waitFor();
    await checkStep(everyone, '12-ended');
    for (const p of [alma, bert, leader]) {
      const kept = await p.page.evaluate(() =>
        Object.keys(localStorage).filter(
          (k) => k.startsWith('balint.') && k.endsWith(location.pathname.split('/')[2] ?? ''),
        ),
      );
      expect(kept).toEqual([]);
    }

    // About and Privacy, from the footer of the end screen.
    await bert.page.getByRole('contentinfo').getByRole('link', { name: 'About' }).click();
    await bert.page.getByTestId('about').waitFor();
    await leader.page.goto(`${run.server.url}/about`);
    await leader.page.getByTestId('about').waitFor();
    await checkStep([leader, bert], '13-about', LANGS);
    await bert.page.getByRole('contentinfo').getByRole('link', { name: 'Privacy' }).click();
    await bert.page.getByTestId('privacy').waitFor();
    await leader.page.goto(`${run.server.url}/privacy`);
    await leader.page.getByTestId('privacy').waitFor();
    await checkStep([leader, bert], '14-privacy', LANGS);

    async function readDownload(d: Download): Promise<string> {
      const stream = await d.createReadStream();
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    }
  });
});

/** The leader moves on; every screen shows the new phase. */
async function next(leader: Person, everyone: Person[], phase: string): Promise<void> {
  await leader.page.getByRole('button', { name: 'Next phase' }).click();
  await allInPhase(everyone, phase);
}

async function allInPhase(people: Person[], phase: string): Promise<void> {
  for (const p of people) await p.page.locator(`[data-testid="phase-name"][data-phase="${phase}"]`).waitFor();
}

async function expectNoTextField(page: Page): Promise<void> {
  expect(await page.locator('textarea, input[type="text"], [data-testid="composer"]').count()).toBe(0);
}

/** A note from a phone, with its lens; the box clears at once and the note shows under "My notes". */
async function post(person: Person, text: string, kind?: string): Promise<void> {
  const rules = person.page.getByTestId('ground-rules');
  await person.page.getByTestId('composer').or(rules).waitFor();
  if (await rules.isVisible()) await person.page.getByRole('button', { name: 'I understand' }).click();
  if (kind) await person.page.getByRole('radio', { name: kind, exact: true }).check();
  await person.page.getByRole('textbox', { name: 'Your note' }).fill(text);
  await person.page.getByRole('button', { name: 'Send', exact: true }).click();
  await person.page.getByTestId('my-note').filter({ hasText: text }).waitFor();
}

/** Posts a note and waits until the server has stored it: it waits for the next batch. */
async function postWaiting(person: Person, text: string, kind?: string): Promise<void> {
  await post(person, text, kind);
  await person.page
    .getByTestId('my-note')
    .filter({ hasText: text })
    .getByText('Waiting for the next batch')
    .waitFor();
}

/**
 * One step of the meeting on every screen: axe-core finds no serious or critical problem, no
 * phone page scrolls sideways, and a picture in each language, switched in place.
 */
async function checkStep(people: Person[], step: string, axeLangs: readonly Lang[] = ['en']): Promise<void> {
  await snapshotLanguages(people, step, axeLangs);
}

/**
 * Screenshots in every language, and axe-core in `axeLangs` (accessible names change with the
 * language, so the busiest steps are checked in all three).
 */
async function snapshotLanguages(
  people: Person[],
  step: string,
  axeLangs: readonly Lang[] = [],
): Promise<void> {
  for (const lang of LANGS) {
    if (lang !== 'en') await Promise.all(people.map((p) => switchLanguage(p.page, lang)));
    // One page at a time: axe is heavy, and a loaded machine should not run seven at once.
    if (axeLangs.includes(lang)) {
      for (const p of people) await expectAccessible(p.page, `${step} ${p.label} ${lang}`);
    }
    await Promise.all(
      people.map(async (p) => {
        await expectNoSidewaysScroll(p.page, `${step} ${p.label} ${lang}`);
        await screenshot(p.page, `meeting/${step}-${p.label}-${lang}`);
      }),
    );
  }
  await Promise.all(people.map((p) => switchLanguage(p.page, 'en')));
}

/**
 * The test owns this page's WebSockets (meeting and board) and its long-polling fallback: it can
 * cut them, keep new ones from opening, and let them through again.
 */
async function controlNetwork(page: Page): Promise<{ cut(): Promise<void>; restore(): Promise<void> }> {
  let offline = false;
  const open: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/(socket\.io|board)\//, (ws) => {
    if (offline) return void ws.close();
    const upstream = ws.connectToServer();
    open.push(ws);
    ws.onClose(() => void upstream.close());
  });
  await page.route(/\/socket\.io\//, (route) => (offline ? route.abort() : route.continue()));
  return {
    async cut() {
      offline = true;
      for (const ws of open.splice(0)) await ws.close();
    },
    async restore() {
      offline = false;
    },
  };
}

/** What the server answers a note sent with this page's seat token from outside its UI. */
async function expectRefusedNote(url: string, page: Page, meetingId: string, code: ErrorCode): Promise<void> {
  const token = await page.evaluate(
    (id) => (JSON.parse(localStorage.getItem(`balint.seat.${id}`) ?? '{}') as { token?: string }).token,
    meetingId,
  );
  expect(token).toBeTruthy();
  const socket = io(url, { auth: { token, protocolVersion: PROTOCOL_VERSION }, transports: ['websocket'] });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const result: unknown = await socket
      .timeout(WAIT_MS)
      .emitWithAck('note:add', { secret: 'ab'.repeat(16), kind: 'feeling', text: 'Sent around the screen.' });
    expect(result).toMatchObject({ ok: false, error: { code } });
  } finally {
    socket.disconnect();
  }
}
