/** TRUST_PROXY's values and the client-address resolver (SPEC.md LIMIT-10). */
import { describe, expect, it } from 'vitest';
import { createClientAddress, limitKey, parseTrustProxy } from '../../server/security/clientAddress';

describe('TRUST_PROXY and clientAddress (LIMIT-10)', () => {
  it('LIMIT-10: TRUST_PROXY takes 0, 1-5 or addresses; the resolver keys IPv6 by /64', () => {
    expect(parseTrustProxy('0')).toEqual({ ok: true, value: { kind: 'none' } });
    expect(parseTrustProxy('5')).toEqual({ ok: true, value: { kind: 'hops', hops: 5 } });
    expect(parseTrustProxy('10.0.0.0/8, 127.0.0.1')).toEqual({
      ok: true,
      value: { kind: 'addresses', addresses: ['10.0.0.0/8', '127.0.0.1'] },
    });
    for (const bad of ['true', 'false', '6', '-1', 'proxy.example.org', '10.0.0.0/99', '1,,2']) {
      expect(parseTrustProxy(bad).ok, bad).toBe(false);
    }
    expect(limitKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(limitKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    const viaList = createClientAddress({ kind: 'addresses', addresses: ['127.0.0.1'] });
    const req = (remote: string, xff: string) =>
      ({ headers: { 'x-forwarded-for': xff }, socket: { remoteAddress: remote } }) as never;
    expect(viaList(req('127.0.0.1', '1.1.1.1, 192.0.2.7'))).toBe('192.0.2.7');
    // From an address that is not a trusted proxy the header is ignored.
    expect(viaList(req('192.0.2.99', '192.0.2.7'))).toBe('192.0.2.99');
  });
});
