/**
 * BUILD-3: a stop must not hang on a peer that never answers: the built server, as a child
 * process, drains on SIGTERM within 2 s while a responsive client and a silent WebSocket peer
 * (it never answers the close frame; `ws` alone would wait 30 s for it) are connected.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { silentPeer } from '../../scripts/lib/silent-peer';
import { Api, connectClient } from '../helpers/server-fixture';
import { spawnServer, tempDataDir } from '../helpers/server-process';

const DRAIN_LIMIT_MS = 2_000;

describe('draining on SIGTERM (BUILD-3)', () => {
  it('BUILD-3: exits with code 0 within 2 s although one peer never answers its close', async () => {
    const server = await spawnServer({ dataDir: tempDataDir() });
    const api = new Api(server.url);
    const m = await api.createMeeting({ templateId: 'step-back-30', leaderName: 'Lea' });
    const leader = await connectClient(server.url, m.leaderToken, 'leader');
    onTestFinished(() => leader.close());
    const peer = await silentPeer(server.url);
    onTestFinished(() => void peer.destroy());

    const startedAt = performance.now();
    const exit = await server.stop('SIGTERM');
    const drainMs = performance.now() - startedAt;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(server.output()).toContain('server.closed');
    expect(drainMs).toBeLessThan(DRAIN_LIMIT_MS);
  });
});
