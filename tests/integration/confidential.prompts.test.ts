/**
 * A leader's own push-back prompts and the name a leader types a note for are meeting content
 * (DESIGN.md sections 6 and 9): the prompts are in the data folder while the meeting runs (so the
 * search can fail) and in no file and no log line after its end; the name given for a note in an
 * anonymous meeting is never written at all.
 */
import { describe, expect, it } from 'vitest';
import { goToPhase, noteSecret, startBoardCast } from '../helpers/board-fixture';
import {
  canary,
  captureLog,
  findIn,
  foundInFolder,
  scanFolder,
  startConfidentialServer,
  tempFolder,
} from '../helpers/confidential';
import { nextEvent } from '../helpers/server-fixture';

describe('prompts and proxy names after the end (PROMPT-5, PROXY-1, CONF-4)', () => {
  it('PROMPT-5, PROXY-1: own prompts are stored while the meeting runs and gone from every file and log after the end; a proxy name is never stored', async () => {
    const dataDir = tempFolder();
    const log = captureLog();
    const fx = await startConfidentialServer({ dataDir, logger: log.logger });
    const cast = await startBoardCast(fx, {}, 2);
    const { leader } = cast;
    const shown = canary('promptshown');
    const kept = canary('promptkept');
    const proxyName = canary('proxyname');
    expect((await leader.run({ type: 'prompt:save', text: kept })).ok).toBe(true);
    await goToPhase(leader, 'speculation');
    expect((await leader.run({ type: 'prompt:show', prompt: { kind: 'own', text: shown } })).ok).toBe(true);
    for (const c of cast.everyone) {
      await c.waitFor((v) => v.prompt?.kind === 'own' && v.prompt.text === shown);
    }
    const ack = await leader.send('note:add', {
      secret: noteSecret(),
      kind: 'feeling',
      text: 'written for someone without a phone',
      onBehalfOf: proxyName,
    });
    expect(ack.ok).toBe(true);

    const found = foundInFolder(dataDir, [shown, kept]);
    expect([...found].sort()).toEqual([kept, shown].sort());
    expect(scanFolder(dataDir, [proxyName])).toEqual([]);

    const gone = cast.everyone.map((c) => nextEvent(c.socket, 'disconnect'));
    expect(await leader.run({ type: 'meeting:end' })).toEqual({ ok: true });
    await Promise.all(gone);
    expect(scanFolder(dataDir, [shown, kept, proxyName])).toEqual([]);
    await fx.close();
    expect(scanFolder(dataDir, [shown, kept, proxyName])).toEqual([]);
    const logs = [{ name: 'log', bytes: Buffer.from(log.text(), 'utf8') }];
    expect(log.text()).toContain('"event":"meeting.purged"');
    expect(findIn(logs, [shown, kept, proxyName], { halves: true })).toEqual([]);
  });
});
