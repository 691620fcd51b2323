import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config';
import {
  addressAllowed,
  DEFAULT_METRICS_ALLOW,
  forwardedWithoutTrust,
  parseAllowList,
} from '../../server/metrics/allow';

describe('METRICS-2: who may scrape', () => {
  it('METRICS-2: by default loopback only, IPv4, IPv6 and IPv4 on a dual-stack socket', () => {
    const allowed = addressAllowed(DEFAULT_METRICS_ALLOW);
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(allowed(a), a).toBe(true);
    for (const a of ['10.0.0.1', '192.168.1.2', '::ffff:10.0.0.1', 'fd00::1', '', undefined, 'nonsense'])
      expect(allowed(a), String(a)).toBe(false);
  });

  it('METRICS-2: METRICS_ALLOW takes addresses and CIDR ranges, comma-separated', () => {
    const parsed = parseAllowList(' 10.1.0.0/16, 192.168.5.7 ,fd00::/8');
    expect(parsed).toEqual({ ok: true, list: ['10.1.0.0/16', '192.168.5.7/32', 'fd00::/8'] });
    if (!parsed.ok) return;
    const allowed = addressAllowed(parsed.list);
    expect([
      allowed('10.1.200.3'),
      allowed('10.2.0.1'),
      allowed('192.168.5.7'),
      allowed('192.168.5.8'),
    ]).toEqual([true, false, true, false]);
    expect([allowed('fd12::9'), allowed('::ffff:10.1.0.9'), allowed('127.0.0.1')]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('METRICS-2: a bad entry stops the start with a line that names it', () => {
    expect(parseAllowList('10.0.0.0/8,localhost')).toEqual({ ok: false, bad: 'localhost' });
    expect(parseAllowList('10.0.0.0/33')).toEqual({ ok: false, bad: '10.0.0.0/33' });
    const loaded = loadConfig({ METRICS_ALLOW: '10.0.0.0/8,300.1.1.1' });
    expect(loaded.ok).toBe(false);
    if (!loaded.ok)
      expect(loaded.message).toContain('METRICS_ALLOW: not an address or CIDR range: 300.1.1.1');
    const defaults = loadConfig({});
    expect(defaults.ok).toBe(true);
    if (defaults.ok) expect(defaults.config.metricsAllow).toEqual(DEFAULT_METRICS_ALLOW);
  });

  it('METRICS-3: with TRUST_PROXY=0 a forwarded request is refused, with it the header is followed', () => {
    expect(forwardedWithoutTrust({ 'x-forwarded-for': '127.0.0.1' }, false)).toBe(true);
    expect(forwardedWithoutTrust({ forwarded: 'for=127.0.0.1' }, false)).toBe(true);
    expect(forwardedWithoutTrust({}, false)).toBe(false);
    expect(forwardedWithoutTrust({ 'x-forwarded-for': '10.0.0.1' }, true)).toBe(false);
  });
});
