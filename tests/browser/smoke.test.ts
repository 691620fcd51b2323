import type { WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  expectNoSidewaysScroll,
  openPerson,
  poll,
  screenshot,
  seatAction,
  shownSeconds,
  VIEWPORTS,
  useBrowserRun,
  createMeeting,
} from './browser';

const SEVEN_MINUTES_MS = 7 * 60_000;

// Generous: a loaded 2-core CI machine may run these several times slower than a desk.
describe('browser smoke: leader, member with a wrong clock, projector', { timeout: 180_000 }, () => {
  const run = useBrowserRun();

  it('shows the same phase and the same seconds left on every screen, whatever the device clock', async () => {
    const meeting = await createMeeting(run.server, { title: 'Thursday group', timerVisibility: 'everyone' });

    // The leader, on a laptop with a correct clock.
    const leader = await openPerson(run.browser, { viewport: VIEWPORTS.laptop, locale: 'en-GB' });
    await leader.page.goto(meeting.leaderLink);
    const startButton = leader.page.getByRole('button', { name: 'Start the meeting' });
    await startButton.waitFor();
    // The secret leaves the address bar as soon as it is read.
    expect(new URL(leader.page.url()).hash).toBe('');

    // A member on a phone whose clock runs seven minutes fast, reading German.
    const member = await openPerson(run.browser, {
      viewport: VIEWPORTS.phone,
      locale: 'de-DE',
      isMobile: true,
      hasTouch: true,
      clockShiftMs: SEVEN_MINUTES_MS,
    });
    await member.page.goto(meeting.joinLink);
    await poll(() => member.page.getByLabel('Zugangscode').inputValue()).toBe(meeting.joinCode);
    await member.page.getByLabel('Ihr Name, wie die Gruppe Sie kennt').fill('Alma Zyborski');
    await member.page.getByRole('button', { name: 'Beitreten' }).click();
    await member.page.waitForURL(`**/m/${meeting.meetingId}/seat`);
    await member.page.getByText('Die Sitzung hat noch nicht begonnen.').waitFor();

    // The room's projector.
    const projector = await openPerson(run.browser, { viewport: VIEWPORTS.projector, locale: 'en-GB' });
    await projector.page.goto(meeting.projectorLink);
    await poll(() => projector.page.getByTestId('projector-code').textContent()).toBe(meeting.joinCode);
    expect(new URL(projector.page.url()).hash).toBe('');

    // The leader sees the member arrive.
    await leader.page.getByTestId('presence').getByText('Alma Zyborski').waitFor();
    await screenshot(leader.page, '01-leader-lobby');
    await screenshot(member.page, '01-member-lobby-de');
    await screenshot(projector.page, '01-projector-lobby');

    await startButton.click();

    const pages = [leader.page, member.page, projector.page];
    for (const page of pages) {
      await page.locator('[data-testid="phase-name"][data-phase="opening"]').waitFor();
      await page.getByTestId('countdown').first().waitFor();
    }

    // Same seconds left everywhere (±1 s for the render beat), although the phone's clock is 7 min off.
    await poll(async () => {
      const seconds = await Promise.all(pages.map(shownSeconds));
      return Math.max(...seconds) - Math.min(...seconds);
    }).toBeLessThanOrEqual(1);
    const [leaderSeconds, memberSeconds] = await Promise.all([
      shownSeconds(leader.page),
      shownSeconds(member.page),
    ]);
    // Opening is 5 minutes: the countdown is within it, not 7 minutes into overtime.
    expect(leaderSeconds).toBeGreaterThan(4 * 60);
    expect(leaderSeconds).toBeLessThanOrEqual(5 * 60);
    expect(Math.abs(leaderSeconds - memberSeconds)).toBeLessThanOrEqual(1);

    await screenshot(leader.page, '02-leader-opening');
    await screenshot(member.page, '02-member-opening-de');
    await screenshot(projector.page, '02-projector-opening');

    // +5 minutes moves every screen's countdown together.
    await leader.page.getByRole('button', { name: '+5 min' }).click();
    for (const page of pages) {
      await page.waitForFunction(
        () =>
          Number(document.querySelector('[data-testid="countdown"]')?.getAttribute('data-remaining-s')) >
          9 * 60,
      );
    }

    // Next phase: everyone follows.
    await leader.page.getByRole('button', { name: 'Next phase' }).click();
    for (const page of pages) await page.locator('[data-phase="case-choice"]').waitFor();
    await screenshot(member.page, '03-member-case-choice-de');

    // The privacy blank on the projector is one key away.
    await projector.page.keyboard.press('b');
    await projector.page.getByTestId('projector-blank').waitFor();
    await projector.page.keyboard.press('b');
    await projector.page.getByTestId('projector').waitFor();

    // Ending the meeting clears every screen.
    leader.page.once('dialog', (dialog) => void dialog.accept());
    await leader.page.getByRole('button', { name: 'End the meeting' }).click();
    for (const page of pages) await page.getByTestId('end-screen').waitFor();
    await screenshot(member.page, '04-member-ended-de');
    // The device's own choices stay (its language, "first-time card seen"): nothing of the meeting.
    const deviceKeys = ['balint.lang', 'balint.firstCardSeen', 'balint.consoleTourSeen'];
    const keptOnPhone = await member.page.evaluate(
      (device) => Object.keys(localStorage).filter((k) => k.startsWith('balint.') && !device.includes(k)),
      deviceKeys,
    );
    expect(keptOnPhone).toEqual([]);
  });

  it('creates a meeting from the start screen and shows the three links and the join code', async () => {
    const { page } = await openPerson(run.browser, { viewport: VIEWPORTS.laptop, locale: 'en-GB' });
    await page.goto(run.server.url);
    await page.getByLabel('Title (optional)').fill('Tuesday group');
    await page.getByLabel('Your name, as the group knows you (optional)').fill('Lena Leitner');
    await page.getByLabel('Everyone').check();
    await screenshot(page, '00-start-form');
    await page.getByRole('button', { name: 'Create meeting' }).click();
    await page.getByRole('heading', { name: 'Your meeting is ready' }).waitFor();
    await poll(() => page.getByLabel('Your leader link', { exact: true }).inputValue()).toMatch(
      /\/m\/[^/]+\/lead#t=/,
    );
    await poll(() => page.getByLabel('Link for the group', { exact: true }).inputValue()).toMatch(
      /\/join#code=/,
    );
    await poll(() => page.getByLabel('Projector link', { exact: true }).inputValue()).toMatch(
      /\/projector#k=/,
    );
    await page.getByText('Keep private').waitFor();
    await screenshot(page, '00-start-created');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, '00-start-created-dark');
  });

  it('push-back: the presenter only listens, a member writes after the ground rules, the projector shows the board', async () => {
    const meeting = await createMeeting(run.server, {
      title: 'Case night',
      timerVisibility: 'everyone',
      leaderName: 'Lena Leitner',
    });
    const leader = await openPerson(run.browser, { viewport: VIEWPORTS.laptop, locale: 'en-GB' });
    await leader.page.goto(meeting.leaderLink);
    await leader.page.getByRole('button', { name: 'Start the meeting' }).waitFor();

    const join = async (name: string, locale: string, label: string, button: string) => {
      const person = await openPerson(run.browser, {
        viewport: VIEWPORTS.phone,
        locale,
        isMobile: true,
        hasTouch: true,
      });
      await person.page.goto(meeting.joinLink);
      await person.page.getByLabel(label).fill(name);
      await person.page.getByRole('button', { name: button }).click();
      await person.page.waitForURL(`**/m/${meeting.meetingId}/seat`);
      return person;
    };
    const presenter = await join('Paul Presswick', 'en-GB', 'Your name, as the group knows you', 'Join');
    const member = await join('Άλμα Ζυμπόρσκι', 'el-GR', 'Το όνομά σας, όπως σας ξέρει η ομάδα', 'Συμμετοχή');
    const projector = await openPerson(run.browser, { viewport: VIEWPORTS.projector, locale: 'en-GB' });
    await projector.page.goto(meeting.projectorLink);
    await projector.page.getByTestId('projector-code').waitFor();

    const paulRow = leader.page
      .getByTestId('presence')
      .getByRole('listitem')
      .filter({ hasText: 'Paul Presswick' });
    await seatAction(paulRow, 'Presenter for case 1');
    await presenter.page.getByText('You are: Presenter').waitFor();
    await leader.page.getByRole('button', { name: 'Start the meeting' }).click();
    await leader.page.getByRole('button', { name: 'Go here: Push-back' }).click();

    for (const page of [leader.page, presenter.page, member.page, projector.page]) {
      await page.locator('[data-testid="phase-name"][data-phase="speculation"]').waitFor();
    }
    // The presenter listens: a visible status, and no text field anywhere on the page.
    await presenter.page.getByTestId('listening').waitFor();
    expect(await presenter.page.locator('textarea, input[type="text"]').count()).toBe(0);
    await screenshot(presenter.page, '05-presenter-listening');

    // A member sees the ground rules once, then the one big input with the push-back lenses.
    await member.page.getByTestId('ground-rules').waitFor();
    await screenshot(member.page, '05-member-rules-el');
    await member.page.getByRole('button', { name: 'Κατανοητό' }).click();
    await member.page.getByTestId('composer').waitFor();
    expect(await member.page.getByRole('radio').count()).toBe(6);
    await member.page.getByRole('textbox').fill('You should refer her back to the clinic on 12.03.2024');
    await member.page.getByRole('button', { name: 'Αποστολή', exact: true }).click();
    await member.page.getByText('Αυτό μοιάζει με συμβουλή.', { exact: false }).waitFor();
    await screenshot(member.page, '05-member-nudge-el');

    // The projector shows the board (large type, no names) during push-back.
    await projector.page.getByTestId('board-empty').or(projector.page.getByTestId('board')).waitFor();
    expect(await projector.page.getByText('Paul Presswick').count()).toBe(0);
    await screenshot(projector.page, '05-projector-pushback');
    await screenshot(leader.page, '05-leader-pushback');
  });

  it('locked meeting: the newcomer waits, a leader lets them in and makes them co-leader; overtime shows as +m:ss', async () => {
    const meeting = await createMeeting(run.server, { title: 'Locked group', leaderName: 'Lena Leitner' });
    const leader = await openPerson(run.browser, { viewport: VIEWPORTS.laptop, locale: 'en-GB' });
    await leader.page.goto(meeting.leaderLink);
    // The switch shows the server's state, so it turns on when the server says so: click, then wait.
    await leader.page.getByRole('switch', { name: 'Lock the meeting (new people wait)' }).click();
    await poll(() =>
      leader.page.getByRole('switch', { name: 'Lock the meeting (new people wait)' }).isChecked(),
    ).toBe(true);

    const late = await openPerson(run.browser, {
      viewport: VIEWPORTS.phone,
      locale: 'en-GB',
      isMobile: true,
    });
    await late.page.goto(meeting.joinLink);
    await late.page.getByLabel('Your name, as the group knows you').fill('Cora Vantongeren');
    await late.page.getByRole('button', { name: 'Join' }).click();
    await late.page.getByTestId('waiting-room').waitFor();
    await screenshot(late.page, '06-waiting-room');

    const waitingList = leader.page.getByTestId('waiting-list');
    await waitingList.getByText('Cora Vantongeren').waitFor();
    await waitingList.getByRole('button', { name: 'Let in' }).click();
    await late.page.getByText('The meeting has not started yet.').waitFor();

    // A co-leader works from the console with the seat they joined with.
    const coraRow = leader.page
      .getByTestId('presence')
      .getByRole('listitem')
      .filter({ hasText: 'Cora Vantongeren' });
    await seatAction(coraRow, 'Make co-leader');
    await late.page.waitForURL(`**/m/${meeting.meetingId}/lead`);
    await late.page.getByRole('button', { name: 'Start the meeting' }).click();
    await leader.page.locator('[data-testid="phase-name"][data-phase="opening"]').waitFor();
    await late.page.getByTestId('countdown').waitFor();
    await expectNoSidewaysScroll(late.page, 'co-leader console on a phone');
    await screenshot(late.page, '06-coleader-console-phone');

    // Shorten the running phase to 1 minute, then take one more off: overtime, shown as +m:ss.
    await leader.page.getByLabel('Planned minutes for Opening').fill('1');
    await leader.page.getByLabel('Planned minutes for Opening').press('Enter');
    await leader.page.waitForFunction(
      () =>
        Number(document.querySelector('[data-testid="countdown"]')?.getAttribute('data-remaining-s')) <= 60,
    );
    await leader.page.getByRole('button', { name: '−1 min' }).click();
    const digits = leader.page.getByTestId('countdown').locator('.countdown-digits');
    await poll(() => digits.textContent()).toMatch(/^\+0:0\d$/);
    await screenshot(leader.page, '06-leader-overtime');

    // Stepping down: the co-leader made a member again goes on from the members' page, same seat.
    await seatAction(coraRow, 'Make member');
    await late.page.waitForURL(`**/m/${meeting.meetingId}/seat`);
    await late.page.getByText('You are: Member').waitFor();
  });

  it('notes: a member writes, the leader releases, the board fills on every screen without a name', async () => {
    const meeting = await createMeeting(run.server, { title: 'Board night', leaderName: 'Lena Leitner' });
    const leader = await openPerson(run.browser, { viewport: VIEWPORTS.laptop, locale: 'en-GB' });
    await leader.page.goto(meeting.leaderLink);
    await leader.page.getByRole('button', { name: 'Start the meeting' }).waitFor();
    const member = await openPerson(run.browser, {
      viewport: VIEWPORTS.phone,
      locale: 'en-GB',
      isMobile: true,
    });
    await member.page.goto(meeting.joinLink);
    await member.page.getByLabel('Your name, as the group knows you').fill('Bert Okonkwo-Ray');
    await member.page.getByRole('button', { name: 'Join' }).click();
    await member.page.waitForURL(`**/m/${meeting.meetingId}/seat`);
    const projector = await openPerson(run.browser, { viewport: VIEWPORTS.projector, locale: 'en-GB' });
    await projector.page.goto(meeting.projectorLink);
    await projector.page.getByTestId('projector-code').waitFor();

    await leader.page.getByRole('button', { name: 'Start the meeting' }).click();
    await leader.page.getByRole('button', { name: 'Go here: Push-back' }).click();
    await member.page.getByRole('button', { name: 'I understand' }).click();
    await member.page.getByRole('radio', { name: 'Feeling' }).check();
    const text = 'A heaviness, as if the room had no windows.';
    await member.page.getByRole('textbox').fill(text);
    await member.page.getByRole('button', { name: 'Send', exact: true }).click();
    const myNote = member.page.getByTestId('my-note').filter({ hasText: text });
    await myNote.getByText('Waiting for the next batch').waitFor();

    // Anonymous mode holds a lone note back (REL-4): with two more, the leader releases the batch.
    for (const more of ['The smell of the waiting room.', 'A wish to leave early.']) {
      await member.page.getByRole('textbox').fill(more);
      await member.page.getByRole('button', { name: 'Send', exact: true }).click();
      await member.page
        .getByTestId('my-note')
        .filter({ hasText: more })
        .getByText('Waiting for the next batch')
        .waitFor();
    }
    await leader.page.getByRole('button', { name: 'Release waiting notes now' }).click();
    for (const page of [projector.page, member.page, leader.page]) {
      await page.getByText(text).first().waitFor();
    }
    await myNote.getByText('On the board').waitFor();
    expect(await projector.page.getByText('Bert Okonkwo-Ray').count()).toBe(0);
    await screenshot(member.page, '07-member-note-on-board');
    await screenshot(projector.page, '07-projector-board');

    // The author edits it from their phone; the board follows after the next release.
    await myNote.getByRole('button', { name: 'Edit' }).click();
    await member.page.getByLabel('Edit note').fill('A heaviness, as if the room had no door.');
    await member.page.getByRole('button', { name: 'Save' }).click();
    await member.page.getByTestId('my-note').filter({ hasText: 'no door' }).waitFor();
  });

  it('offline: the member sees a calm banner, writes anyway, and the note arrives after the reconnect', async () => {
    const meeting = await createMeeting(run.server, { title: 'Shaky network' });
    const leader = await openPerson(run.browser, { viewport: VIEWPORTS.laptop, locale: 'en-GB' });
    await leader.page.goto(meeting.leaderLink);
    await leader.page.getByRole('button', { name: 'Start the meeting' }).waitFor();

    const member = await openPerson(run.browser, {
      viewport: VIEWPORTS.phone,
      locale: 'en-GB',
      isMobile: true,
    });
    // The test owns the member's meeting connection: it can cut it and refuse new ones.
    let offline = false;
    const sockets: WebSocketRoute[] = [];
    await member.page.routeWebSocket(/\/socket\.io\//, (ws) => {
      if (offline) return void ws.close();
      ws.connectToServer();
      sockets.push(ws);
    });
    await member.page.route(/\/socket\.io\//, (route) => (offline ? route.abort() : route.continue()));
    await member.page.goto(meeting.joinLink);
    await member.page.getByLabel('Your name, as the group knows you').fill('Alma Zyborski');
    await member.page.getByRole('button', { name: 'Join' }).click();
    await member.page.getByText('The meeting has not started yet.').waitFor();
    await leader.page.getByRole('button', { name: 'Start the meeting' }).click();
    await leader.page.getByRole('button', { name: 'Go here: Push-back' }).click();
    await member.page.getByRole('button', { name: 'I understand' }).click();

    offline = true;
    for (const ws of sockets.splice(0)) await ws.close();
    await member.page.getByTestId('offline-banner').waitFor();
    const text = 'Written while the network was away.';
    await member.page.getByRole('textbox').fill(text);
    await member.page.getByRole('button', { name: 'Send', exact: true }).click();
    const note = member.page.getByTestId('my-note').filter({ hasText: text });
    await note.getByText('Sending…').waitFor();
    await screenshot(member.page, '08-member-offline');

    offline = false;
    // Socket.IO's own backoff (at most 5 s) brings it back; the note goes out with its first id.
    await note.getByText('Waiting for the next batch').waitFor({ timeout: 15_000 });
    await poll(() => member.page.getByTestId('offline-banner').count()).toBe(0);
  });
});
