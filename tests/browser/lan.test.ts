/**
 * Phones in the room, in a real browser: the server listens on every interface and offers two
 * network addresses (127.0.0.2 and 127.0.0.3 stand for them: real listeners, as a Wi-Fi address
 * would be). The leader's laptop opens everything on 127.0.0.1; the QR code on the projector is
 * read back from the screen's pixels with jsQR and must lead a phone to the meeting.
 */
import jsQR from 'jsqr';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMeeting,
  ensureClientBuilt,
  expectAccessible,
  launchBrowser,
  openPerson,
  poll,
  screenshot,
  startAppServer,
  VIEWPORTS,
  type AppServer,
} from './browser';
import type { Browser } from 'playwright-core';

const ADDRESSES = ['127.0.0.2', '127.0.0.3'];

/**
 * What a phone's camera would read: a screenshot of the projector's QR code, turned into RGBA
 * pixels by the browser's own PNG decoder (on a blank page), then decoded by jsQR.
 */
async function readQr(page: Page, decoder: Page): Promise<string> {
  const png = await page.locator('svg.qr').screenshot();
  const pixels = await decoder.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d context');
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let bin = '';
    for (let i = 0; i < data.length; i += 0x8000) bin += String.fromCharCode(...data.subarray(i, i + 0x8000));
    return { width: canvas.width, height: canvas.height, rgba: btoa(bin) };
  }, png.toString('base64'));
  const rgba = new Uint8ClampedArray(Buffer.from(pixels.rgba, 'base64'));
  const found = jsQR(rgba, pixels.width, pixels.height);
  if (!found) throw new Error('no QR code found in the screenshot');
  return found.data;
}

describe('browser: phones in the room', { timeout: 180_000 }, () => {
  let server: AppServer;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  beforeAll(async () => {
    await ensureClientBuilt();
    server = await startAppServer({ host: '0.0.0.0', phoneAddresses: () => ADDRESSES });
    ({ browser, close: closeBrowser } = await launchBrowser());
  });
  afterAll(async () => {
    await closeBrowser?.();
    await server?.close();
  });

  it('LAN-4 / LAN-5: the projector QR code leads to the network address the leader picked', async () => {
    const port = new URL(server.url).port;
    const meeting = await createMeeting(server, { title: 'Room test' });
    const phoneOrigin = (address: string) => `http://${address}:${port}`;
    const joinUrl = (address: string) => `${phoneOrigin(address)}/join#code=${meeting.joinCode}`;

    // One laptop: the leader's console and the projector window share the device's storage.
    const laptop = await openPerson(browser, { viewport: VIEWPORTS.laptop, locale: 'en-GB' });
    const console = laptop.page;
    await console.goto(meeting.leaderLink);
    expect(new URL(console.url()).hostname).toBe('127.0.0.1');
    const choices = console.getByRole('group', { name: 'Address for phones' });
    await choices.waitFor();
    expect(await choices.getByRole('radio').count()).toBe(2);
    await poll(() => console.getByLabel('Link for the group', { exact: true }).inputValue()).toBe(
      joinUrl('127.0.0.2'),
    );

    const projector = await laptop.context.newPage();
    await projector.setViewportSize(VIEWPORTS.projector);
    await projector.goto(meeting.projectorLink);
    await poll(() => projector.getByTestId('projector-code').textContent()).toBe(meeting.joinCode);
    await projector.getByText('Join at 127.0.0.2:').waitFor();
    const decoder = await laptop.context.newPage();
    expect(await readQr(projector, decoder)).toBe(joinUrl('127.0.0.2'));

    // The leader picks the other address: the projector window follows it at once.
    await choices.getByRole('radio', { name: `127.0.0.3:${port}` }).check();
    await poll(() => console.getByLabel('Link for the group', { exact: true }).inputValue()).toBe(
      joinUrl('127.0.0.3'),
    );
    await projector.getByText('Join at 127.0.0.3:').waitFor();
    await poll(() => readQr(projector, decoder)).toBe(joinUrl('127.0.0.3'));
    await screenshot(projector, 'lan-projector-qr');

    // The device remembers the pick.
    await console.reload();
    await poll(() => console.getByLabel('Link for the group', { exact: true }).inputValue()).toBe(
      joinUrl('127.0.0.3'),
    );
    await expect.poll(() => choices.getByRole('radio', { name: `127.0.0.3:${port}` }).isChecked()).toBe(true);
    await console.locator('details.phone-qr summary').click();
    await screenshot(console, 'lan-leader-addresses');
    await expectAccessible(console, 'leader console with two phone addresses');

    // A phone opens what it read and joins the meeting at that address.
    const phone = await openPerson(browser, { viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true });
    await phone.page.goto(await readQr(projector, decoder));
    await poll(() => phone.page.getByLabel('Join code').inputValue()).toBe(meeting.joinCode);
    await phone.page.getByLabel('Your name, as the group knows you').fill('Alma Zyborski');
    await phone.page.getByRole('button', { name: 'Join', exact: true }).click();
    await phone.page.waitForURL(`http://127.0.0.3:${port}/m/${meeting.meetingId}/seat`);
    await console.getByTestId('presence').getByText('Alma Zyborski').waitFor();
    await phone.context.close();
    await laptop.context.close();
  });

  it('LAN-4: the start screen on localhost shows a join link phones can open', async () => {
    const port = new URL(server.url).port;
    const leader = await openPerson(browser, { viewport: VIEWPORTS.laptop, locale: 'en-GB' });
    await leader.page.goto(`http://localhost:${port}/`);
    await leader.page.getByRole('button', { name: 'Create meeting' }).click();
    const code = await leader.page.getByTestId('created-join-code').textContent();
    await poll(() => leader.page.getByLabel('Link for the group', { exact: true }).inputValue()).toBe(
      `http://127.0.0.2:${port}/join#code=${code}`,
    );
    await leader.context.close();
  });
});
