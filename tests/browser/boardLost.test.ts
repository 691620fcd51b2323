/**
 * WIRE-4 in the console: a board change the server refuses (here: a board made tiny, so that the
 * second theme no longer fits) is dropped with the copy it was made on, the board is reloaded
 * from the server, and the leader reads which change was lost.
 */
import { describe, expect, it } from 'vitest';
import { createMeeting, openPerson, poll, useBrowserRun, VIEWPORTS } from './browser';

/** An empty board takes 2 bytes and one short theme about 65: a long-named second one does not fit. */
const TINY_BOARD_BYTES = 150;
const LONG_NAME = 'A theme with a rather long name that fills the small board';

describe('a refused board change in the console (WIRE-4)', { timeout: 180_000 }, () => {
  const run = useBrowserRun({
    board: { leaderLimits: { maxUpdateBytes: 256 * 1024, maxBoardBytes: TINY_BOARD_BYTES } },
  });

  it('WIRE-4: the leader is told which change was lost, and the board shows the server’s copy', async () => {
    const meeting = await createMeeting(run.server, { title: 'Lost change' });
    const { page } = await openPerson(run.browser, { viewport: VIEWPORTS.laptop, locale: 'en-GB' });
    await page.goto(meeting.leaderLink);
    await page.getByRole('button', { name: 'Start the meeting' }).click();
    const panel = page.getByTestId('board-panel');
    await panel.getByLabel('New theme').fill('Anger');
    await panel.getByRole('button', { name: 'Add theme' }).click();
    await panel.getByRole('heading', { name: 'Anger' }).waitFor();

    await panel.getByLabel('New theme').fill(LONG_NAME);
    await panel.getByRole('button', { name: 'Add theme' }).click();
    const notice = page.getByTestId('board-change-lost');
    await notice.waitFor();
    expect(await notice.textContent()).toContain(
      `The server did not accept a change on the board, so the board was reloaded without it: the theme “${LONG_NAME}”.`,
    );
    // The fresh copy is the server's: the refused theme is gone, the accepted one stays.
    await poll(() => panel.getByRole('heading', { name: LONG_NAME }).count()).toBe(0);
    expect(await panel.getByRole('heading', { name: 'Anger' }).count()).toBe(1);
    await notice.getByRole('button', { name: 'Close' }).click();
    await poll(() => notice.count()).toBe(0);
  });
});
