/**
 * When the server's protocol version changes under an open page, the page asks to reload rather
 * than misbehave. The test stands between page and server (page.routeWebSocket) and makes the two
 * speak different versions: at the handshake of a reconnect (a server restarted with a new
 * version), and in a snapshot pushed to a page that stays connected.
 */
import type { WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import { expectAccessible, openPerson, screenshot, VIEWPORTS, useBrowserRun, createMeeting } from './browser';

// Generous: a loaded 2-core CI machine may run these several times slower than a desk.
describe('protocol version changes under an open page', { timeout: 180_000 }, () => {
  const run = useBrowserRun();

  it('a member whose reconnect meets a newer server, and a projector sent a newer snapshot, both ask to reload', async () => {
    const meeting = await createMeeting(run.server, { title: 'Version night' });
    const leader = await openPerson(run.browser, { viewport: VIEWPORTS.laptop, locale: 'en-GB' });
    await leader.page.goto(meeting.leaderLink);
    const lock = leader.page.getByRole('switch', { name: 'Lock the meeting (new people wait)' });
    await lock.waitFor();

    // The member's handshake passes through the test, which can make it speak the old version.
    const member = await openPerson(run.browser, {
      viewport: VIEWPORTS.phone,
      locale: 'en-GB',
      isMobile: true,
    });
    let serverUpgraded = false;
    const memberSockets: WebSocketRoute[] = [];
    await member.page.routeWebSocket(/\/socket\.io\//, (ws) => {
      const upstream = ws.connectToServer();
      memberSockets.push(ws);
      ws.onMessage((message) => {
        // Socket.IO's CONNECT packet ("40{…auth…}") carries the page's protocol version.
        const outdated =
          serverUpgraded && typeof message === 'string' && message.startsWith('40')
            ? message.replace(
                `"protocolVersion":${PROTOCOL_VERSION}`,
                `"protocolVersion":${PROTOCOL_VERSION - 1}`,
              )
            : message;
        upstream.send(outdated);
      });
      ws.onClose(() => void upstream.close());
    });
    await member.page.goto(meeting.joinLink);
    await member.page.getByLabel('Your name, as the group knows you').fill('Alma Zyborski');
    await member.page.getByRole('button', { name: 'Join' }).click();
    await member.page.getByText('The meeting has not started yet.').waitFor();

    // The projector's snapshots pass through the test, which can stamp them with a newer version.
    const projector = await openPerson(run.browser, { viewport: VIEWPORTS.projector, locale: 'en-GB' });
    let snapshotsUpgraded = false;
    await projector.page.routeWebSocket(/\/socket\.io\//, (ws) => {
      const upstream = ws.connectToServer();
      upstream.onMessage((message) => {
        const newer =
          snapshotsUpgraded && typeof message === 'string' && message.startsWith('42["meeting:state"')
            ? message.replace(
                `"protocolVersion":${PROTOCOL_VERSION}`,
                `"protocolVersion":${PROTOCOL_VERSION + 1}`,
              )
            : message;
        ws.send(newer);
      });
    });
    await projector.page.goto(meeting.projectorLink);
    await projector.page.getByTestId('projector-code').waitFor();

    // The server "restarts with a new version": the member's connection drops and comes back.
    serverUpgraded = true;
    for (const ws of memberSockets.splice(0)) await ws.close();
    const banner = member.page
      .getByRole('alert')
      .filter({ hasText: 'This page is out of date. Please reload it.' });
    await banner.waitFor({ timeout: 20_000 });
    await screenshot(member.page, 'version/member-outdated');
    await expectAccessible(member.page, 'member, outdated');

    // A snapshot in a newer version reaches the projector, which stays connected.
    snapshotsUpgraded = true;
    await lock.click();
    await projector.page
      .getByText('This page is out of date. Please reload it.')
      .waitFor({ timeout: 20_000 });
    await screenshot(projector.page, 'version/projector-outdated');
    await expectAccessible(projector.page, 'projector, outdated');

    // Reloading loads the page that speaks the server's version: the same seat, the same screen.
    serverUpgraded = false;
    await banner.getByRole('button', { name: 'Reload the page' }).click();
    await member.page.getByText('The meeting has not started yet.').waitFor({ timeout: 20_000 });
    expect(await member.page.getByRole('alert').count()).toBe(0);
    await member.page.getByText('Alma Zyborski').waitFor();
  });
});
