/**
 * Browser fixture: Debian's Chromium through playwright-core (no browser download), and the real
 * server on port 0 serving the built client. Everything opened here is closed when the test
 * file finishes. No sleeps: tests wait for conditions (locators, waitForFunction, expect.poll).
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { AxeResults, ImpactValue } from 'axe-core';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from 'playwright-core';
import { createApp, type App } from '../../server/app';
import { createBoardService, type BoardServiceDeps } from '../../server/board/createBoardService';
import { systemClock } from '../../server/core/clock';
import { silentLogger } from '../../server/core/logger';
import { cryptoRandom } from '../../server/core/random';
import { openSqliteGroupStore } from '../../server/groups/open';
import { GROUP_FILE_NAME } from '../../server/groups/store';
import { openAsyncSqliteStorage } from '../../server/storage/async/open';

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLIENT_DIST = path.join(ROOT, 'client', 'dist');
export const SCREENSHOTS = path.join(ROOT, 'artifacts', 'screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const PAGE_WAIT_MS = 20_000;
/** How long a polled condition may take: generous, for a loaded 2-core CI machine. */
export const POLL_MS = 20_000;

/** `expect.poll` with a patient timeout (vitest's default is one second). */
export function poll<T>(fn: () => T | Promise<T>, timeout = POLL_MS) {
  return expect.poll(fn, { timeout, interval: 100 });
}

export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  laptop: { width: 1366, height: 900 },
  projector: { width: 1920, height: 1080 },
} as const;

/** Builds the client once if no build is there (`npm test` builds before the tests anyway). */
export async function ensureClientBuilt(): Promise<void> {
  if (existsSync(path.join(CLIENT_DIST, 'index.html'))) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
}

export async function launchBrowser(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: run \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // playwright gives every launch a fresh, throw-away profile (no --user-data-dir needed).
  return { browser, close: () => browser.close() };
}

export interface AppServer {
  app: App;
  url: string;
  close(): Promise<void>;
}

export interface AppServerOptions {
  /** 127.0.0.1 by default; 0.0.0.0 stands for a server open to the room's network. */
  host?: string;
  /** The server's addresses phones can use (main.ts reads them from the interfaces). */
  phoneAddresses?: () => readonly string[];
  /** Board settings, e.g. smaller leader limits to provoke a refused write. */
  board?: Partial<Pick<BoardServiceDeps, 'leaderLimits'>>;
}

/** The real server (real clock: browsers keep real time) on port 0, serving client/dist. */
export async function startAppServer(opts: AppServerOptions = {}): Promise<AppServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'balint-browser-'));
  const storage = openAsyncSqliteStorage({ file: path.join(dir, 'test.sqlite'), synchronous: 'NORMAL' });
  const app = createApp({
    storage,
    clock: systemClock,
    random: cryptoRandom,
    logger: silentLogger,
    publicOrigin: null,
    createKey: null,
    inactivityLimitMs: 24 * 60 * 60_000,
    clientDir: CLIENT_DIST,
    createBoard: (ctx) => createBoardService({ ...ctx, ...opts.board }),
    phoneAddresses: opts.phoneAddresses,
    groupStore: openSqliteGroupStore({ file: path.join(dir, GROUP_FILE_NAME), synchronous: 'NORMAL' }),
  });
  const port = await app.listen(0, opts.host ?? '127.0.0.1');
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A page script that moves this context's clock by `shiftMs`: `Date.now()` and `new Date()`
 * both. Used to prove that countdowns follow the server's clock, not the device's.
 */
export function shiftedClockScript(shiftMs: number): string {
  return `(() => {
    const SHIFT = ${shiftMs};
    const RealDate = Date;
    const realNow = RealDate.now.bind(RealDate);
    class ShiftedDate extends RealDate {
      constructor(...args) {
        if (args.length === 0) super(realNow() + SHIFT);
        else super(...args);
      }
      static now() {
        return realNow() + SHIFT;
      }
    }
    globalThis.Date = ShiftedDate;
  })();`;
}

export interface PersonOptions extends BrowserContextOptions {
  /** Shift this person's clock (ms). */
  clockShiftMs?: number;
  /**
   * A device that has never been in a meeting: it gets the first-time card and the console tour.
   * Off by default, so that tests of other screens meet the screens they are about.
   */
  newcomer?: boolean;
}

/** What a device that has been in a meeting before keeps (client/src/meeting/firstTime.ts). */
const RETURNING_DEVICE_SCRIPT = `(() => {
  try {
    localStorage.setItem('balint.firstCardSeen', 'true');
    localStorage.setItem('balint.consoleTourSeen', 'true');
  } catch {}
})();`;

/** One person: a named, isolated browser context (own storage) with one page. */
export async function openPerson(
  browser: Browser,
  options: PersonOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const { clockShiftMs, newcomer, ...contextOptions } = options;
  const context = await browser.newContext(contextOptions);
  // A guard, not a sleep: a missing element fails with its locator instead of the test's timeout.
  context.setDefaultTimeout(PAGE_WAIT_MS);
  if (clockShiftMs) await context.addInitScript({ content: shiftedClockScript(clockShiftMs) });
  if (!newcomer) await context.addInitScript({ content: RETURNING_DEVICE_SCRIPT });
  const page = await context.newPage();
  return { context, page };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(SCREENSHOTS, `${name}.png`);
  mkdirSync(path.dirname(file), { recursive: true });
  // Finite animations (a note fading in) are finished, so the picture shows the settled screen.
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}

const SEVERE: readonly ImpactValue[] = ['serious', 'critical'];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
/**
 * axe-core's own browser bundle, injected as a script: `@axe-core/playwright` would do the same
 * but declares Node >= 22.12, and the app has no frames for it to walk.
 */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core on the page as it is now: no serious or critical violation of WCAG 2.2 A/AA (and
 * axe's best practices). Throws with the rule ids and the first offending elements.
 */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  // evaluate, not a script tag: the page's Content-Security-Policy does not apply to it.
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(
    (tags) =>
      (window as unknown as { axe: { run(c: Document, o: object): Promise<AxeResults> } }).axe.run(document, {
        runOnly: { type: 'tag', values: tags },
      }),
    AXE_TAGS,
  );
  const bad = results.violations.filter((v) => v.impact && SEVERE.includes(v.impact));
  if (bad.length === 0) return;
  const lines = bad.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} at ${v.nodes
        .slice(0, 3)
        .map((n) => n.target.join(' '))
        .join(' | ')}`,
  );
  throw new Error(`axe on ${label}:\n${lines.join('\n')}`);
}

/** How many languages the projector's L key steps through. */
const LANGUAGE_COUNT = 3;

/**
 * Switches the page's language in place with its own language menu, and waits until it shows.
 * The projector has no menu (SCREEN-1): its own keyboard's L key steps through the languages.
 */
export async function switchLanguage(page: Page, lang: 'en' | 'de' | 'el'): Promise<void> {
  const menu = page.locator('label.lang select').first();
  if ((await menu.count()) > 0) await menu.selectOption(lang);
  else {
    for (let i = 0; i < LANGUAGE_COUNT; i++) {
      if (await page.evaluate((l) => document.documentElement.lang === l, lang)) break;
      const before = await page.evaluate(() => document.documentElement.lang);
      await page.keyboard.press('l');
      await page.waitForFunction((b) => document.documentElement.lang !== b, before);
    }
  }
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}

/** What the countdown on a page shows: whole seconds left (negative in overtime). */
export async function shownSeconds(page: Page): Promise<number> {
  const value = await page.getByTestId('countdown').first().getAttribute('data-remaining-s');
  if (value === null) throw new Error('no countdown on the page');
  return Number(value);
}

/** In the leader's presence list, a person's actions wait behind their "Change" disclosure. */
export async function seatAction(row: Locator, button: string): Promise<void> {
  const more = row.locator('details.presence-more');
  if ((await more.getAttribute('open')) === null) await more.locator('summary').click();
  await row.getByRole('button', { name: button }).click();
}

/**
 * The page fits its screen's width: nothing scrolls sideways. Measured against the screen, since a
 * mobile browser widens its layout viewport to whatever content is too wide.
 */
export async function expectNoSidewaysScroll(page: Page, label: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.screen.width);
  if (overflow > 0) throw new Error(`${label}: ${overflow} px wider than the screen`);
}

/** What a browser test file works with: the real server and one Chromium. */
export interface BrowserRun {
  server: AppServer;
  browser: Browser;
}

/**
 * Registers the file's set-up and clean-up (call it inside `describe`): the client built, a
 * real server on port 0, one Chromium; both closed when the file's tests are done.
 */
export function useBrowserRun(opts: AppServerOptions = {}): BrowserRun {
  const run = {} as BrowserRun;
  let closeBrowser: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    await ensureClientBuilt();
    run.server = await startAppServer(opts);
    const launched = await launchBrowser();
    run.browser = launched.browser;
    closeBrowser = launched.close;
  });
  afterAll(async () => {
    await closeBrowser?.();
    await run.server?.close();
  });
  return run;
}

/** The answer of `POST /api/meetings`. */
export interface CreatedMeeting {
  meetingId: string;
  joinCode: string;
  leaderLink: string;
  joinLink: string;
  projectorLink: string;
}

/** Creates a meeting through the real REST API, as the start screen does. */
export async function createMeeting(server: AppServer, body: object): Promise<CreatedMeeting> {
  const res = await fetch(`${server.url}/api/meetings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as CreatedMeeting;
}
