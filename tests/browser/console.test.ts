/**
 * The leader's plan (add, remove and time phases; keep it as a saved plan on the device and start
 * the next meeting from it), a member who uses the keyboard only, and reduced motion.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  expectAccessible,
  openPerson,
  poll,
  screenshot,
  VIEWPORTS,
  useBrowserRun,
  createMeeting,
} from './browser';

/** How many Tab presses a screen may need before the element is reached. */
const MAX_TABS = 80;

/** Moves the focus with the Tab key only, until `target` has it. */
async function tabTo(page: Page, target: Locator): Promise<void> {
  for (let i = 0; i < MAX_TABS; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`Tab never reached ${target.toString()}`);
}

/** The phases as the console's timeline lists them: name and planned minutes. */
async function timeline(page: Page): Promise<string[]> {
  const items = page.getByTestId('timeline').getByRole('listitem');
  return items.evaluateAll((lis) =>
    lis.map((li) => {
      const name = li.querySelector('.timeline-name')?.textContent?.trim() ?? '';
      const minutes = (li.querySelector('.duration input') as HTMLInputElement | null)?.value ?? '';
      return `${name} ${minutes}`;
    }),
  );
}

// Generous: a loaded 2-core CI machine may run these several times slower than a desk.
describe('the leader console and the keyboard', { timeout: 180_000 }, () => {
  const run = useBrowserRun();

  const create = (body: object) => createMeeting(run.server, body);

  it('edits the plan, keeps it on the device, and starts the next meeting from it', async () => {
    const meeting = await create({ title: 'Tuesday group', templateId: 'classic-90-one-case' });
    const { page } = await openPerson(run.browser, { viewport: VIEWPORTS.laptop, locale: 'en-GB' });
    await page.goto(meeting.leaderLink);
    await page.getByRole('button', { name: 'Start the meeting' }).waitFor();
    expect(await timeline(page)).toEqual([
      'Opening 5',
      'Who has a case? 3',
      'Presentation 10',
      'Questions 10',
      'Push-back 40',
      'Presenter return 12',
      'Closing reflection 10',
    ]);

    // Add a phase at the start, remove one, change a duration.
    await page.getByText('Add a phase').click();
    await page.getByLabel('Phase', { exact: true }).selectOption('case-choice');
    await page.getByLabel('minutes', { exact: true }).fill('2');
    await page.getByLabel('Where').selectOption({ label: 'At the start' });
    await screenshot(page, 'console/add-phase');
    await expectAccessible(page, 'console: add a phase');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await poll(() => timeline(page)).toHaveLength(8);
    await page.getByRole('button', { name: 'Remove the phase Opening' }).click();
    await poll(() => timeline(page)).toHaveLength(7);
    const pushBack = page.getByLabel('Planned minutes for Push-back');
    await pushBack.fill('35');
    await pushBack.press('Enter');
    const edited = [
      'Who has a case? 2',
      'Who has a case? 3',
      'Presentation 10',
      'Questions 10',
      'Push-back 35',
      'Presenter return 12',
      'Closing reflection 10',
    ];
    await poll(() => timeline(page)).toEqual(edited);

    // Kept on this device as the leader's own plan.
    await page.getByText('Save these phases as a plan').click();
    await page.getByLabel('Name of the plan').fill('Our Tuesday plan');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved “Our Tuesday plan” on this device.').waitFor();
    await screenshot(page, 'console/plan-saved');

    // The start page offers it next to the built-in plans; the new meeting has its phases.
    await page.goto(run.server.url);
    const plan = page.getByLabel('Plan');
    await plan.selectOption({ label: 'Our Tuesday plan · 82 min' });
    await page.getByText('Saved on this device from an earlier meeting.').waitFor();
    await screenshot(page, 'console/start-saved-plan');
    await expectAccessible(page, 'start with a saved plan');
    await page.getByRole('button', { name: 'Create meeting' }).click();
    await page.getByRole('link', { name: 'Open the leader console' }).click();
    await page.getByRole('button', { name: 'Start the meeting' }).waitFor();
    await poll(() => timeline(page)).toEqual(edited);

    // And it can be deleted from the start page.
    await page.goto(run.server.url);
    await plan.selectOption({ label: 'Our Tuesday plan · 82 min' });
    await page.getByRole('button', { name: 'Delete “Our Tuesday plan”' }).click();
    await poll(() => plan.locator('option', { hasText: 'Our Tuesday plan' }).count()).toBe(0);
  });

  it('a member joins, reads the rules, chooses a lens, writes, sends and edits with the keyboard only', async () => {
    const meeting = await create({ title: 'Keyboard night', leaderName: 'Lena Leitner' });
    const leader = await openPerson(run.browser, { viewport: VIEWPORTS.laptop, locale: 'en-GB' });
    await leader.page.goto(meeting.leaderLink);
    await leader.page.getByRole('button', { name: 'Start the meeting' }).waitFor();

    const { page } = await openPerson(run.browser, {
      viewport: VIEWPORTS.phone,
      locale: 'en-GB',
      reducedMotion: 'reduce',
    });
    await page.goto(meeting.joinLink);
    // The code came with the link; the name field has the focus.
    const name = page.getByLabel('Your name, as the group knows you');
    await poll(() => name.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type('Alma Zyborski');
    await page.keyboard.press('Enter');
    await page.getByText('The meeting has not started yet.').waitFor();

    // The leader starts and moves on with the keyboard too.
    await tabTo(leader.page, leader.page.getByRole('button', { name: 'Start the meeting' }));
    await leader.page.keyboard.press('Enter');
    await tabTo(leader.page, leader.page.getByRole('button', { name: 'Go here: Push-back' }));
    await leader.page.keyboard.press('Enter');
    await page.locator('[data-testid="phase-name"][data-phase="speculation"]').waitFor();

    await tabTo(page, page.getByRole('button', { name: 'I understand' }));
    await page.keyboard.press('Enter');
    // The lens: Tab into the group, arrows move the choice (Association → Feeling).
    await tabTo(page, page.getByRole('radio', { name: 'Association' }));
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('radio', { name: 'Feeling' }).isChecked()).toBe(true);
    await tabTo(page, page.getByRole('textbox', { name: 'Your note' }));
    const text = 'A tiredness that was not mine.';
    await page.keyboard.type(text);
    await tabTo(page, page.getByRole('button', { name: 'Send', exact: true }));
    // The keyboard's focus is always visible.
    const outline = await page.evaluate(
      () => getComputedStyle(document.activeElement as Element).outlineStyle,
    );
    expect(outline).not.toBe('none');
    await page.keyboard.press('Enter');
    const mine = page.getByTestId('my-note').filter({ hasText: text });
    await mine.getByText('Feeling').waitFor();
    await mine.getByText('Waiting for the next batch').waitFor();
    // A leader's release sends a batch of three or more (REL-4): two more notes make it one.
    for (const more of ['A wish to leave early.', 'The smell of the waiting room.']) {
      await page.getByRole('textbox', { name: 'Your note' }).fill(more);
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await page
        .getByTestId('my-note')
        .filter({ hasText: more })
        .getByText('Waiting for the next batch')
        .waitFor();
    }
    await leader.page.getByRole('button', { name: 'Release waiting notes now' }).click();
    await mine.getByText('On the board').waitFor();

    // Edit it, still by the keyboard.
    await tabTo(page, mine.getByRole('button', { name: 'Edit' }));
    await page.keyboard.press('Enter');
    // The box takes the focus, with the caret after the text.
    const editBox = page.getByLabel('Edit note');
    await poll(() => editBox.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' Or was it?');
    await tabTo(page, page.getByRole('button', { name: 'Save' }));
    await page.keyboard.press('Enter');
    await page.getByTestId('my-note').filter({ hasText: 'Or was it?' }).waitFor();

    // Reduced motion: notes appear without their fade on this phone, with it on the projector.
    const boardNote = page.getByTestId('board-note').first();
    await boardNote.waitFor();
    expect(await boardNote.evaluate((el) => getComputedStyle(el).animationName)).toBe('none');
    const projector = await openPerson(run.browser, { viewport: VIEWPORTS.projector, locale: 'en-GB' });
    await projector.page.goto(meeting.projectorLink);
    const projected = projector.page.getByTestId('board-note').first();
    await projected.waitFor();
    expect(await projected.evaluate((el) => getComputedStyle(el).animationName)).toBe('note-in');
  });
});
