/**
 * Every screen works under the Content-Security-Policy the server sends (CSP-4): the start page,
 * the leader console, a member's phone and the projector render, their Socket.IO and board
 * WebSockets connect, a batch of notes reaches the projector, and no page reports a violation
 * (a `securitypolicyviolation` event or a console error naming the policy).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPerson, poll, VIEWPORTS, useBrowserRun } from './browser';

/** Collects the page's CSP violations where the test can read them. */
const RECORD_VIOLATIONS = `(() => {
  globalThis.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    globalThis.__cspViolations.push(e.effectiveDirective + ' ' + e.blockedURI);
  });
})();`;

/** A release batch may wait a few seconds before it leaves: patient, but only a guard. */
const BATCH_WAIT_MS = 45_000;

interface Screen {
  label: string;
  context: BrowserContext;
  page: Page;
  consoleProblems: string[];
}

async function violations(screen: Screen): Promise<string[]> {
  const seen = await screen.page.evaluate(
    () => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations,
  );
  return [...seen, ...screen.consoleProblems].map((v) => `${screen.label}: ${v}`);
}

describe('the screens under the Content-Security-Policy', { timeout: 240_000 }, () => {
  const run = useBrowserRun();

  async function open(label: string, viewport: keyof typeof VIEWPORTS): Promise<Screen> {
    const { context, page } = await openPerson(run.browser, {
      viewport: VIEWPORTS[viewport],
      locale: 'en-GB',
      ...(viewport === 'phone' ? { isMobile: true, hasTouch: true } : {}),
    });
    await context.addInitScript({ content: RECORD_VIOLATIONS });
    const consoleProblems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content.Security.Policy/i.test(message.text())) {
        consoleProblems.push(message.text());
      }
    });
    page.on('pageerror', (error) => consoleProblems.push(`page error: ${error.message}`));
    return { label, context, page, consoleProblems };
  }

  it('CSP-4: start page, leader console, member and projector render and connect, with no violation', async () => {
    const leader = await open('leader', 'laptop');
    const answer = await leader.page.goto(run.server.url);
    const policy = answer?.headers()['content-security-policy'] ?? '';
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");

    // --- The start page creates the meeting -----------------------------------------------
    await leader.page.getByLabel('Title (optional)').fill('Thursday Balint group');
    await leader.page.getByLabel('Plan').selectOption('classic-90-two-cases');
    await leader.page.getByRole('button', { name: 'Create meeting' }).click();
    await leader.page.getByRole('heading', { name: 'Your meeting is ready' }).waitFor();
    const joinLink = await leader.page.getByLabel('Link for the group', { exact: true }).inputValue();
    const projectorLink = await leader.page.getByLabel('Projector link', { exact: true }).inputValue();
    await leader.page.getByRole('link', { name: 'Open the leader console' }).click();
    await leader.page.getByRole('button', { name: 'Start the meeting' }).waitFor();

    // --- The projector shows the code and its QR code ---------------------------------------
    const projector = await open('projector', 'projector');
    await projector.page.goto(projectorLink);
    await projector.page.getByTestId('projector-code').waitFor();
    await projector.page.locator('svg.qr').waitFor();

    // --- A member joins on a phone ------------------------------------------------------------
    const member = await open('member', 'phone');
    await member.page.goto(joinLink);
    await member.page.getByLabel('Your name, as the group knows you').fill('Alma Zyborski');
    await member.page.getByRole('button', { name: 'Join', exact: true }).click();
    await member.page.getByText('The meeting has not started yet.').waitFor();
    await leader.page.getByTestId('presence').getByText('Alma Zyborski').waitFor();

    // --- Into a board phase: notes travel over both WebSockets -------------------------------
    const screens = [leader, projector, member];
    await leader.page.getByRole('button', { name: 'Start the meeting' }).click();
    for (const phase of ['questions', 'speculation']) {
      await leader.page.getByRole('button', { name: 'Next phase' }).click();
      for (const s of screens) {
        await s.page.locator(`[data-testid="phase-name"][data-phase="${phase}"]`).waitFor();
      }
    }
    await projector.page.getByText('Nothing on the board yet.').waitFor();
    const notes = ['A heaviness in the room.', 'The doctor walks in fog.', 'I wanted to leave.'];
    const rules = member.page.getByTestId('ground-rules');
    await member.page.getByTestId('composer').or(rules).waitFor();
    if (await rules.isVisible()) await member.page.getByRole('button', { name: 'I understand' }).click();
    for (const text of notes) {
      await member.page.getByRole('textbox', { name: 'Your note' }).fill(text);
      await member.page.getByRole('button', { name: 'Send', exact: true }).click();
      await member.page.getByTestId('my-note').filter({ hasText: text }).waitFor();
    }
    for (const text of notes) {
      await projector.page.getByText(text).first().waitFor({ timeout: BATCH_WAIT_MS });
      await leader.page
        .getByTestId('board-panel')
        .getByText(text)
        .first()
        .waitFor({ timeout: BATCH_WAIT_MS });
    }

    expect((await Promise.all(screens.map(violations))).flat()).toEqual([]);

    // The watch itself works: an inline script, which the policy refuses, is seen as a violation.
    await leader.page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'globalThis.__inlineRan = true';
      document.head.append(script);
    });
    await poll(() => violations(leader)).toContainEqual(
      expect.stringMatching(/^leader: script-src-elem inline/),
    );
    expect(await leader.page.evaluate(() => 'inlineRan' in globalThis || '__inlineRan' in globalThis)).toBe(
      false,
    );
    for (const s of screens) await s.context.close();
  });
});
