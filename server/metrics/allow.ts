import type { IncomingHttpHeaders } from 'node:http';
import ipaddr from 'ipaddr.js';

/** Who may scrape /metrics when METRICS_ALLOW is not set: this machine only. */
export const DEFAULT_METRICS_ALLOW: readonly string[] = ['127.0.0.0/8', '::1/128'];

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * METRICS_ALLOW: a comma-separated list of addresses and CIDR ranges. Returns the normalised
 * list, or the first entry that is neither (so the configuration error can name it).
 */
export function parseAllowList(text: string): { ok: true; list: string[] } | { ok: false; bad: string } {
  const list: string[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const range = toRange(entry);
    if (!range) return { ok: false, bad: entry };
    list.push(`${range[0].toString()}/${range[1]}`);
  }
  return list.length > 0 ? { ok: true, list } : { ok: false, bad: text };
}

function toRange(entry: string): Range | null {
  try {
    if (entry.includes('/')) return ipaddr.parseCIDR(entry);
    const address = ipaddr.parse(entry);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return null;
  }
}

/** An address as one kind: `::ffff:127.0.0.1` (IPv4 on a dual-stack socket) is 127.0.0.1. */
function normalise(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!ipaddr.isValid(address)) return null;
  return ipaddr.process(address);
}

/** Builds the check once: every scrape then only parses the client's address. */
export function addressAllowed(list: readonly string[]): (address: string | undefined) => boolean {
  const ranges = list.map(toRange).filter((r): r is Range => r !== null);
  return (address) => {
    const parsed = address ? normalise(address) : null;
    if (!parsed) return false;
    return ranges.some(([base, bits]) => base.kind() === parsed.kind() && parsed.match(base, bits));
  };
}

/**
 * Without a trusted proxy every request is judged on its socket's address; one that still names
 * a forwarded client came through a proxy nobody declared, so the real client is unknown and the
 * scrape is refused rather than counted as coming from the proxy's (often loopback) address.
 */
export function forwardedWithoutTrust(headers: IncomingHttpHeaders, trustProxy: boolean): boolean {
  return !trustProxy && (headers['x-forwarded-for'] !== undefined || headers.forwarded !== undefined);
}
