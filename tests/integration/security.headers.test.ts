/**
 * The security headers every HTTP answer carries (CSP-1..3), read from the real server on
 * port 0, with the Host header a browser (or a forger) would send.
 */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server-fixture';

type Headers = Record<string, string | string[] | undefined>;

function get(url: string, path: string, host?: string): Promise<Headers> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { headers: host ? { host } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers));
    });
    req.on('error', reject);
    req.end();
  });
}

/** `default-src 'self'; img-src 'self' data:` as { 'default-src': "'self'", ... }. */
function directives(headers: Headers): Record<string, string> {
  const csp = headers['content-security-policy'];
  if (typeof csp !== 'string') throw new Error('no Content-Security-Policy header');
  return Object.fromEntries(
    csp.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values.join(' ')];
    }),
  );
}

describe('security headers (helmet)', () => {
  it("CSP-1: without PUBLIC_ORIGIN: same-origin only, WebSockets to the request's host, no framing, no HSTS", async () => {
    const fx = await startServer();
    for (const path of ['/healthz', '/api/templates', '/api/no-such-route']) {
      const headers = await get(fx.url, path);
      expect(directives(headers)).toEqual({
        'default-src': "'self'",
        'base-uri': "'none'",
        'connect-src': `'self' ws://127.0.0.1:${fx.port} wss://127.0.0.1:${fx.port}`,
        'font-src': "'self'",
        'form-action': "'self'",
        'frame-ancestors': "'none'",
        'img-src': "'self' data:",
        'object-src': "'none'",
        'script-src': "'self'",
        'script-src-attr': "'none'",
        'style-src': "'self'",
      });
      expect(headers['strict-transport-security']).toBeUndefined();
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(headers['x-powered-by']).toBeUndefined();
    }
    // A phone on the local network reaches the server by another name: its own host is allowed.
    const lan = await get(fx.url, '/healthz', '192.168.1.20:8080');
    expect(directives(lan)['connect-src']).toBe("'self' ws://192.168.1.20:8080 wss://192.168.1.20:8080");
    const v6 = await get(fx.url, '/healthz', '[fd00::1]:8080');
    expect(directives(v6)['connect-src']).toBe("'self' ws://[fd00::1]:8080 wss://[fd00::1]:8080");
  });

  it('CSP-1: a Host header that is not a plain host cannot add sources or directives', async () => {
    const fx = await startServer();
    for (const forged of ["evil.example; script-src 'unsafe-inline'", 'a b', 'evil.example,x', '*']) {
      const csp = directives(await get(fx.url, '/healthz', forged));
      expect(csp['connect-src']).toBe("'self'");
      expect(csp['script-src']).toBe("'self'");
      expect(Object.keys(csp)).toHaveLength(11);
    }
  });

  it('CSP-2: with an https PUBLIC_ORIGIN: wss to it, HSTS and upgrade-insecure-requests', async () => {
    const fx = await startServer({ publicOrigin: 'https://balint.example.org' });
    const headers = await get(fx.url, '/healthz', 'balint.example.org');
    const csp = directives(headers);
    expect(csp['connect-src']).toBe("'self' wss://balint.example.org");
    expect(csp['frame-ancestors']).toBe("'none'");
    expect(csp).toHaveProperty('upgrade-insecure-requests', '');
    expect(headers['strict-transport-security']).toBe('max-age=15552000');
  });

  it('CSP-3: with an http PUBLIC_ORIGIN: ws to it, no HSTS, no upgrade-insecure-requests', async () => {
    const fx = await startServer({ publicOrigin: 'http://balint.lan:8080' });
    const headers = await get(fx.url, '/healthz');
    const csp = directives(headers);
    expect(csp['connect-src']).toBe("'self' ws://balint.lan:8080");
    expect(csp).not.toHaveProperty('upgrade-insecure-requests');
    expect(headers['strict-transport-security']).toBeUndefined();
  });
});
