/**
 * TRUST_PROXY and the one client-address resolver (SPEC.md LIMIT-10): behind a proxy that appends
 * the real address (nginx's $proxy_add_x_forwarded_for), forged left-most entries change nothing;
 * IPv6 clients are limited per /64; `true` is refused at start-up.
 */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/core/clock';
import { silentLogger } from '../../server/core/logger';
import { Limits } from '../../server/limits/seatLimits';
import { BOARD_SUBPROTOCOL } from '../../shared/protocol';
import { openRawBoard, startBoardServer } from '../helpers/board-fixture';
import { spawnServer, tempDataDir } from '../helpers/server-process';

function join(url: string, forwardedFor: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/join`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ code: 'ZZZZZ-ZZZZZ', name: 'Guesser' }));
  });
}

/** A smaller budget of handshakes and upgrades per client address than the default 2,000. */
const CONNECTS_PER_ADDRESS = 60;
const BOARD_CLOSE = { BAD_TOKEN: 4401, RATE_LIMITED: 4429 };

describe('TRUST_PROXY (LIMIT-10)', () => {
  it('LIMIT-10: with TRUST_PROXY=1, forged left-most X-Forwarded-For entries are throttled; IPv6 per /64', async () => {
    const server = await spawnServer({ dataDir: tempDataDir(), env: { TRUST_PROXY: '1' } });
    // nginx appends the address it saw; everything left of it is the client's own writing.
    for (let i = 0; i < 30; i++) expect(await join(server.url, `10.0.${i}.1, 203.0.113.9`)).toBe(404);
    expect(await join(server.url, '10.9.9.9, 203.0.113.9')).toBe(429);
    expect(await join(server.url, '203.0.113.10')).toBe(404);
    // Any address of one /64 is the same client.
    for (let i = 1; i <= 30; i++) expect(await join(server.url, `2001:db8:5:6::${i.toString(16)}`)).toBe(404);
    expect(await join(server.url, '2001:db8:5:6:ffff:1:2:3')).toBe(429);
    expect(await join(server.url, '2001:db8:5:7::1')).toBe(404);
    await server.stop('SIGTERM');
  });

  it('LIMIT-10: TRUST_PROXY=true is refused at start-up with a message', async () => {
    const failed = spawnServer({ dataDir: tempDataDir(), env: { TRUST_PROXY: 'true' } });
    const error = await failed.then(
      () => null,
      (e: Error) => e.message,
    );
    expect(error).toContain('TRUST_PROXY');
    expect(error).toContain('not accepted');
  });

  it('LIMIT-10: board upgrades key on the same resolver (forged left-most entries are throttled)', async () => {
    const clock = new ManualClock();
    const limits = new Limits({
      now: () => clock.now(),
      logger: silentLogger,
      connectsPerAddress: CONNECTS_PER_ADDRESS,
    });
    const fx = await startBoardServer({ clock, limits, trustProxy: { kind: 'hops', hops: 1 } });
    for (let i = 0; i < CONNECTS_PER_ADDRESS; i++) {
      const b = openRawBoard(fx, 'nomeeting/0', [BOARD_SUBPROTOCOL, 'not-a-token'], {
        'x-forwarded-for': `10.1.${i % 250}.${Math.floor(i / 250)}, 198.51.100.20`,
      });
      expect((await b.closed).code).toBe(BOARD_CLOSE.BAD_TOKEN);
    }
    const last = openRawBoard(fx, 'nomeeting/0', [BOARD_SUBPROTOCOL, 'not-a-token'], {
      'x-forwarded-for': '10.200.0.1, 198.51.100.20',
    });
    expect((await last.closed).code).toBe(BOARD_CLOSE.RATE_LIMITED);
  });
});
