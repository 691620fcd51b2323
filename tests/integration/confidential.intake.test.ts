/**
 * Nothing of case intake outlives the meeting (SPEC.md INTAKE-6, CONF-4): a volunteer's label and
 * a name-only volunteer are in the data folder while the meeting runs, and in no file and no log
 * line after its end.
 */
import { describe, expect, it } from 'vitest';
import {
  canary,
  captureLog,
  foundInFolder,
  scanFolder,
  startConfidentialServer,
  tempFolder,
} from '../helpers/confidential';
import { nextEvent } from '../helpers/server-fixture';

describe('case intake leaves nothing behind', () => {
  it('INTAKE-6, CONF-4: labels and name-only volunteers are gone from every file and log after the end', async () => {
    const dataDir = tempFolder();
    const log = captureLog();
    const fx = await startConfidentialServer({ dataDir, logger: log.logger });
    const meeting = await fx.api.createMeeting({ title: 'Intake', format: 'hybrid' });
    const leader = await fx.connect(meeting.leaderToken, 'leader');
    const joined = await fx.api.join(meeting.joinCode, 'Mira Member');
    const member = await fx.connect(joined.token, 'member');
    const label = canary('label');
    const noDevice = canary('nodevice');
    const second = canary('second');

    expect(await leader.run({ type: 'intake:open' })).toEqual({ ok: true });
    expect(await member.run({ type: 'intake:volunteer', label })).toEqual({ ok: true });
    expect(await leader.run({ type: 'intake:add', name: noDevice })).toEqual({ ok: true });
    expect(await leader.run({ type: 'intake:add', name: second })).toEqual({ ok: true });
    expect(await leader.run({ type: 'intake:showLabels', shown: true })).toEqual({ ok: true });
    // The name-only pick is kept as the case's presenter "without a device" until the end.
    const state = fx.app.hub.state(meeting.meetingId);
    const pick = state?.spoken?.intake.queue.find((v) => v.name === noDevice);
    if (!pick) throw new Error('planted');
    expect(await leader.run({ type: 'intake:pick', volunteerId: pick.id, caseIndex: 0 })).toEqual({
      ok: true,
    });

    const planted = [label, noDevice, second];
    expect([...foundInFolder(dataDir, planted)].sort()).toEqual([...planted].sort());

    const gone = [leader, member].map((c) => nextEvent(c.socket, 'disconnect'));
    expect(await leader.run({ type: 'meeting:end' })).toEqual({ ok: true });
    await Promise.all(gone);
    expect(scanFolder(dataDir, planted)).toEqual([]);
    await fx.close();
    expect(scanFolder(dataDir, planted)).toEqual([]);
    for (const needle of planted) expect(log.text()).not.toContain(needle);
  });
});
