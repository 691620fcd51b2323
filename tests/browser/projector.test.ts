/**
 * The room's projector at 1920x1080, read from the back of a room (SCREEN-1..6): a real server,
 * real Socket.IO clients for the leader and members, a stock y-websocket client for the leader's
 * board layout, and the projector page in Chromium. Forty notes of realistic length go up; the
 * test walks every page and every phase and keeps the screenshots under /tmp/screens/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { setNoteLayout, setTheme } from '../../shared/board/schema';
import { BOARD_PATH } from '../../shared/protocol';
import {
  BoardClient,
  connectRecording,
  goToPhase,
  noteSecret,
  type RecordingClient,
} from '../helpers/board-fixture';
import { Api } from '../helpers/server-fixture';
import { openPerson, poll, useBrowserRun, VIEWPORTS } from './browser';
import { FORTY_NOTES } from './fixtures/notes40';

const SHOTS = '/tmp/screens';
const MEMBERS = 8;
const NOTE_TEXT_MIN_PX = 28;
const LABEL_MIN_PX = 24;
/** Grey levels (0-255) a highlight's frame must stand out by, from a plain note's and the screen's. */
const GREY_CONTRAST_MIN = 100;
/** The page interval is 20 s: a patient bound for one automatic turn on a loaded machine. */
const AUTO_TURN_MS = 35_000;

async function shot(page: Page, name: string): Promise<Buffer> {
  mkdirSync(SHOTS, { recursive: true });
  return page.screenshot({ path: path.join(SHOTS, `${name}.png`), animations: 'disabled' });
}

/** Nothing scrolls, in either direction. */
async function expectNoScroll(page: Page, label: string): Promise<void> {
  const over = await page.evaluate(() => ({
    x: document.documentElement.scrollWidth - window.innerWidth,
    y: document.documentElement.scrollHeight - window.innerHeight,
  }));
  expect(over, label).toEqual({ x: 0, y: 0 });
}

/** No menu, no link, no text field on the room's screen. */
async function expectNoMenus(page: Page, label: string): Promise<void> {
  const count = await page.locator('a, select, input, textarea').count();
  expect(count, label).toBe(0);
}

interface ShownNote {
  text: string;
  fontPx: number;
  inside: boolean;
  highlight: boolean;
}

/**
 * The notes in sight now: any part of them within the board's window (which clips the pages to
 * either side) and the screen; `inside` says the whole note and its text are on the screen.
 */
async function shownNotes(page: Page): Promise<ShownNote[]> {
  return page.locator('[data-testid="board-note"]').evaluateAll((els) => {
    const w = window.innerWidth;
    const h = window.innerHeight;
    const win = (document.querySelector('.pboard-window') as HTMLElement).getBoundingClientRect();
    return els
      .map((el) => {
        const r = el.getBoundingClientRect();
        const text = el.querySelector('.pnote-text') as HTMLElement;
        const t = text.getBoundingClientRect();
        return {
          visible:
            r.right > Math.max(0, win.left) &&
            r.left < Math.min(w, win.right) &&
            r.bottom > Math.max(0, win.top) &&
            r.top < Math.min(h, win.bottom),
          text: text.textContent ?? '',
          fontPx: parseFloat(getComputedStyle(text).fontSize),
          inside: t.left >= 0 && t.right <= w && t.top >= 0 && t.bottom <= h && r.right <= w && r.bottom <= h,
          highlight: el.classList.contains('is-highlight'),
        };
      })
      .filter((n) => n.visible)
      .map(({ visible: _v, ...n }) => n);
  });
}

/** The page's slide has finished (a running CSS transition is one of the document's animations). */
async function settled(page: Page): Promise<void> {
  await poll(() => page.evaluate(() => document.getAnimations().length)).toBe(0);
}

async function indicator(page: Page): Promise<{ page: number; pages: number }> {
  const el = page.getByTestId('page-indicator');
  return {
    page: Number(await el.getAttribute('data-page')),
    pages: Number(await el.getAttribute('data-pages')),
  };
}

/**
 * Reads a screenshot's pixels in a blank page, turns them grey (Rec. 709 luma) and measures the
 * mean grey of three bands: the highlighted note's frame, a plain note's frame and the screen
 * around them. The greyscale copy is kept for a person to look at.
 */
async function greyBands(
  page: Page,
  png: Buffer,
  hi: { x: number; y: number; width: number; height: number },
  plain: { x: number; y: number; width: number; height: number },
) {
  const scratch = await page.context().newPage();
  try {
    const result = await scratch.evaluate(
      async ({ b64, hi, plain }) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
        ctx.drawImage(img, 0, 0);
        const data = ctx.getImageData(0, 0, img.width, img.height);
        const px = data.data;
        for (let i = 0; i < px.length; i += 4) {
          const g = Math.round(0.2126 * (px[i] ?? 0) + 0.7152 * (px[i + 1] ?? 0) + 0.0722 * (px[i + 2] ?? 0));
          px[i] = px[i + 1] = px[i + 2] = g;
        }
        ctx.putImageData(data, 0, 0);
        const grey = (x: number, y: number) => px[(Math.round(y) * img.width + Math.round(x)) * 4] ?? 0;
        // The middle of the left frame, over the box's middle half (away from rounded corners).
        const band = (r: typeof hi, inset: number) => {
          let sum = 0;
          let n = 0;
          for (let y = r.y + r.height / 4; y < r.y + (3 * r.height) / 4; y++) {
            sum += grey(r.x + inset, y);
            n++;
          }
          return sum / n;
        };
        return {
          highlightFrame: band(hi, 4),
          plainFrame: band(plain, 1.5),
          screen: band({ ...hi, x: hi.x - 14 }, 0),
          url: canvas.toDataURL('image/png'),
        };
      },
      { b64: png.toString('base64'), hi, plain },
    );
    writeFileSync(
      path.join(SHOTS, 'projector-board-greyscale.png'),
      Buffer.from(result.url.split(',')[1] ?? '', 'base64'),
    );
    return result;
  } finally {
    await scratch.close();
  }
}

describe('the projector for the back of a room', { timeout: 240_000 }, () => {
  const run = useBrowserRun();

  it('SCREEN-1..6: large labels and time, paged board of 40 notes, a highlight that survives greyscale, calm end', async () => {
    const api = new Api(run.server.url);
    const meeting = await api.createMeeting({ title: 'Thursday group', templateId: 'classic-90-one-case' });
    const leader = await connectRecording(run.server.url, meeting.leaderToken, 'leader');
    const members: RecordingClient[] = [];
    for (let i = 0; i < MEMBERS; i++) {
      const seat = await api.join(meeting.joinCode, `Member Number${i}`);
      members.push(await connectRecording(run.server.url, seat.token, `member${i}`));
    }
    await leader.waitFor((v) => (v.seats ?? []).every((s) => s.connected) && v.seats?.length === MEMBERS + 1);
    const named = await leader.run({
      type: 'presenter:set',
      caseIndex: 0,
      seatId: members[0]?.seatId as string,
    });
    expect(named.ok).toBe(true);

    // A record of wake-lock requests, where the browser has the API at all.
    const { page } = await openPerson(run.browser, { viewport: VIEWPORTS.projector, locale: 'en-GB' });
    await page.addInitScript(() => {
      const w = globalThis as unknown as { __wakeLocks: string[] };
      w.__wakeLocks = [];
      const lock = navigator.wakeLock;
      if (!lock) return;
      const real = lock.request.bind(lock);
      lock.request = (type?: 'screen') => {
        w.__wakeLocks.push(type ?? '');
        return real(type);
      };
    });
    await page.goto(meeting.projectorLink);
    await page.getByTestId('projector-code').waitFor();
    // SCREEN-5: nine people and the projector itself: the room counts nine, not ten.
    await poll(() => page.getByTestId('projector-people').textContent()).toBe(`${MEMBERS + 1} here`);
    await poll(() => page.title()).toBe('Projector · Thursday group · Balint Room');
    await expectNoMenus(page, 'lobby');
    await expectNoScroll(page, 'lobby');
    await shot(page, 'projector-0-lobby');

    // SCREEN-4: the full-screen button fades after 5 s without the pointer, comes back when it moves.
    const full = page.getByTestId('projector-fullscreen');
    await poll(() => full.getAttribute('class'), 15_000).toContain('is-faded');
    await page.mouse.move(400, 300);
    await poll(() => full.getAttribute('class')).not.toContain('is-faded');
    if (await page.evaluate(() => 'wakeLock' in navigator)) {
      await poll(() =>
        page.evaluate(() => (globalThis as unknown as { __wakeLocks: string[] }).__wakeLocks),
      ).toContain('screen');
    }

    // Calm phases: a large name and a large time, the labels readable from the back.
    for (const [i, kind] of (['opening', 'case-choice', 'presentation', 'questions'] as const).entries()) {
      await goToPhase(leader, kind, null);
      await page.locator(`[data-testid="phase-name"][data-phase="${kind}"]`).waitFor();
      const sizes = await page.evaluate(() => ({
        label: parseFloat(getComputedStyle(document.querySelector('.countdown-label') as Element).fontSize),
        digits: parseFloat(getComputedStyle(document.querySelector('.countdown-digits') as Element).fontSize),
      }));
      expect(sizes.label).toBeGreaterThanOrEqual(LABEL_MIN_PX);
      expect(sizes.digits).toBeGreaterThanOrEqual(96);
      await expectNoMenus(page, kind);
      await expectNoScroll(page, kind);
      await shot(page, `projector-${i + 1}-${kind}`);
    }

    // Push-back: forty notes from eight members, released at once by the leader.
    await goToPhase(leader, 'speculation', 0);
    const kinds = ['association', 'feeling', 'image', 'patient-view', 'doctor-view', 'relationship'] as const;
    const ids: string[] = [];
    for (const [i, text] of FORTY_NOTES.entries()) {
      const author = members[1 + (i % (MEMBERS - 1))] as RecordingClient;
      const added = await author.send<{ noteId: string }>('note:add', {
        secret: noteSecret(),
        kind: kinds[i % kinds.length],
        text,
      });
      if (!added.ok) throw new Error(`note ${i}: ${added.error.code}`);
      ids.push(added.value.noteId);
    }
    const released = await leader.send('board:release', {});
    expect(released.ok).toBe(true);

    // The leaders sort some notes into two themes and highlight one, as the console does.
    const board = new BoardClient(
      `${run.server.url.replace('http', 'ws')}${BOARD_PATH}`,
      `${meeting.meetingId}/0`,
      meeting.leaderToken,
      'leader-board',
    );
    onTestFinished(() => board.destroy());
    await board.synced();
    await board.until((d) => (d.getMap('notes').size ?? 0) === FORTY_NOTES.length, 'forty notes');
    setTheme(board.doc, 'theme-helpless', 'Helplessness');
    setTheme(board.doc, 'theme-family1', 'The family');
    for (const id of ids.slice(0, 6)) setNoteLayout(board.doc, id, { theme: 'theme-helpless' });
    for (const id of ids.slice(6, 10)) setNoteLayout(board.doc, id, { theme: 'theme-family1' });
    const highlightedText = FORTY_NOTES[2] as string;
    setNoteLayout(board.doc, ids[2] as string, { highlight: true });

    await poll(() => page.locator('[data-testid="board-note"]').count()).toBe(FORTY_NOTES.length);
    await poll(() => page.locator('.pnote.is-highlight').count()).toBe(1);
    await poll(() => page.locator('[data-theme="The family"]').count()).toBe(1);
    const { pages } = await indicator(page);
    expect(pages).toBeGreaterThan(1);

    // SCREEN-2: every page: nothing scrolls, every note in sight is whole and at least 28 px.
    const seen = new Set<string>();
    for (let p = 1; p <= pages; p++) {
      await poll(() => indicator(page).then((i) => i.page)).toBe(p);
      await settled(page);
      expect((await shownNotes(page)).every((n) => n.inside)).toBe(true);
      const shown = await shownNotes(page);
      expect(shown.length).toBeGreaterThan(0);
      for (const n of shown) {
        expect(n.fontPx, n.text).toBeGreaterThanOrEqual(NOTE_TEXT_MIN_PX);
        seen.add(n.text);
      }
      const labels = await page.evaluate(() =>
        [...document.querySelectorAll('.pnote-kind, .pboard-pager, .countdown-label, .pnote-mark')].map(
          (el) => parseFloat(getComputedStyle(el).fontSize),
        ),
      );
      expect(Math.min(...labels)).toBeGreaterThanOrEqual(LABEL_MIN_PX);
      await expectNoScroll(page, `board page ${p}`);
      await expectNoMenus(page, `board page ${p}`);
      await shot(page, `projector-5-speculation-page${p}`);
      if (p < pages) await page.keyboard.press('ArrowRight');
    }
    expect([...seen].sort()).toEqual([...FORTY_NOTES].sort());

    // SCREEN-3: back to the page with the highlight; its frame stands out in a greyscale copy.
    await page.keyboard.press('ArrowRight');
    await poll(() => indicator(page).then((i) => i.page)).toBe(1);
    await settled(page);
    expect((await shownNotes(page)).some((n) => n.highlight && n.inside)).toBe(true);
    expect(await page.getByTestId('highlight-mark').textContent()).toBe('★ Highlighted');
    const hiBox = await page.locator('.pnote.is-highlight').boundingBox();
    const plainBox = await page.locator('.pnote:not(.is-highlight)').first().boundingBox();
    if (!hiBox || !plainBox) throw new Error('no note boxes');
    const png = await shot(page, 'projector-5-speculation-highlight');
    const grey = await greyBands(page, png, hiBox, plainBox);
    expect(grey.highlightFrame - grey.plainFrame).toBeGreaterThanOrEqual(GREY_CONTRAST_MIN);
    expect(grey.highlightFrame - grey.screen).toBeGreaterThanOrEqual(GREY_CONTRAST_MIN);
    expect(await page.locator('.pnote.is-highlight .pnote-text').textContent()).toBe(highlightedText);

    // The pages also turn by themselves.
    await poll(() => indicator(page).then((i) => i.page), AUTO_TURN_MS).toBe(2);

    for (const [i, kind] of (['return', 'closing'] as const).entries()) {
      await goToPhase(leader, kind, null);
      await page.locator(`[data-testid="phase-name"][data-phase="${kind}"]`).waitFor();
      await expectNoMenus(page, kind);
      await expectNoScroll(page, kind);
      await shot(page, `projector-${i + 6}-${kind}`);
    }

    // SCREEN-6: a calm end, with nothing to click.
    expect((await leader.run({ type: 'meeting:end' })).ok).toBe(true);
    await page.getByTestId('end-screen').waitFor();
    expect(await page.getByRole('heading', { name: 'The meeting has ended' }).count()).toBe(1);
    expect(await page.locator('a, button, select, input').count()).toBe(0);
    await expectNoScroll(page, 'end');
    await shot(page, 'projector-8-ended');
  });
});
