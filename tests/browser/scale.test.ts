/**
 * One meeting in real browsers through HAProxy, on PostgreSQL and Redis (SCALE-55): two built
 * server processes behind docs/haproxy.cfg (tests/helpers/cluster.ts), a leader and a
 * participant, each a browser context of its own (its own cookies, so HAProxy's sticky cookie
 * keeps each on one process). The participant's note reaches the leader's board.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { startCluster, STICKY_COOKIE, type Cluster } from '../helpers/cluster';
import { ensureClientBuilt, launchBrowser, openPerson, poll, VIEWPORTS } from './browser';

const NAMES = { leader: 'Liesbeth Haproxia', member: 'Mirko Redisovic' } as const;

let cluster: Cluster;
let browser: Browser;
let closeBrowser: (() => Promise<void>) | undefined;
beforeAll(async () => {
  await ensureClientBuilt();
  cluster = await startCluster({ processes: 2 });
  const launched = await launchBrowser();
  browser = launched.browser;
  closeBrowser = launched.close;
}, 120_000);
afterAll(async () => {
  await closeBrowser?.();
  await cluster?.close();
});

/** The process HAProxy pinned this browser to. */
async function stickyServer(context: BrowserContext): Promise<string | null> {
  const cookie = (await context.cookies()).find((c) => c.name === STICKY_COOKIE);
  return cookie?.value ?? null;
}

describe(
  'a meeting in the browser through HAProxy (two processes, PostgreSQL, Redis)',
  { timeout: 180_000 },
  () => {
    for (const placement of ['pinned', 'spread'] as const) {
      it(`SCALE-55: leader and participant in browsers (${placement}): the participant's note reaches the leader's board`, async () => {
        await cluster.balanced();
        const leader = await openPerson(browser, { viewport: VIEWPORTS.laptop, locale: 'en-GB' });
        await leader.page.goto(cluster.url);
        await leader.page.getByLabel('Title (optional)').fill(`Through HAProxy (${placement})`);
        await leader.page.getByLabel('Your name, as the group knows you (optional)').fill(NAMES.leader);
        await leader.page.getByLabel('Plan').selectOption('classic-90-two-cases');
        // Named: a note is on the board at once (no batch to wait for).
        await leader.page.getByRole('radio', { name: 'With names' }).check();
        await leader.page.getByRole('button', { name: 'Create meeting' }).click();
        await leader.page.getByRole('heading', { name: 'Your meeting is ready' }).waitFor();
        const joinLink = await leader.page.getByLabel('Link for the group', { exact: true }).inputValue();
        await leader.page.getByRole('link', { name: 'Open the leader console' }).click();
        await leader.page.getByRole('button', { name: 'Start the meeting' }).waitFor();
        const meetingId = new URL(leader.page.url()).pathname.split('/')[2] as string;
        const home = await stickyServer(leader.context);
        if (!home) throw new Error('HAProxy set no sticky cookie');

        const member = await openPerson(browser, {
          viewport: VIEWPORTS.phone,
          locale: 'en-GB',
          isMobile: true,
          hasTouch: true,
        });
        // Pinned: the participant's browser starts on the meeting's process. Spread: HAProxy's round
        // robin sends a fresh browser to the other one.
        const origin = new URL(cluster.url);
        if (placement === 'pinned')
          await member.context.addCookies([
            { name: STICKY_COOKIE, value: home, domain: origin.hostname, path: '/' },
          ]);
        await member.page.goto(joinLink);
        await member.page.getByLabel('Your name, as the group knows you').fill(NAMES.member);
        await member.page.getByRole('button', { name: 'Join', exact: true }).click();
        await member.page.waitForURL(`**/m/${meetingId}/seat`);
        await member.page.getByText('The meeting has not started yet.').waitFor();
        if (placement === 'spread') await poll(() => stickyServer(member.context)).not.toBe(home);
        else await poll(() => stickyServer(member.context)).toBe(home);

        await leader.page.getByTestId('presence').getByText(NAMES.member).waitFor();
        await leader.page.getByRole('button', { name: 'Start the meeting' }).click();
        for (const phase of ['questions', 'speculation']) {
          await leader.page.getByRole('button', { name: 'Next phase' }).click();
          for (const p of [leader, member])
            await p.page.locator(`[data-testid="phase-name"][data-phase="${phase}"]`).waitFor();
        }

        const text = `A note that crossed HAProxy (${placement}).`;
        const rules = member.page.getByTestId('ground-rules');
        await member.page.getByTestId('composer').or(rules).waitFor();
        if (await rules.isVisible()) await member.page.getByRole('button', { name: 'I understand' }).click();
        await member.page.getByRole('textbox', { name: 'Your note' }).fill(text);
        await member.page.getByRole('button', { name: 'Send', exact: true }).click();
        await member.page.getByTestId('my-note').filter({ hasText: text }).waitFor();
        await member.page
          .getByTestId('my-note')
          .filter({ hasText: text })
          .getByText('On the board')
          .waitFor();
        await leader.page.getByTestId('board-panel').getByText(text).waitFor();
        await member.context.close();
        await leader.context.close();
      });
    }
  },
);
