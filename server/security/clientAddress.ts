import type { IncomingMessage } from 'node:http';
import ipaddr from 'ipaddr.js';
import proxyAddr from 'proxy-addr';

/**
 * Which hops in front of the server may tell the client's address (`X-Forwarded-For`):
 * none, the nearest `hops` (1–5), or the proxies at these addresses or CIDR ranges.
 */
export type TrustProxy =
  { kind: 'none' } | { kind: 'hops'; hops: number } | { kind: 'addresses'; addresses: string[] };

export const MAX_TRUSTED_HOPS = 5;
/** IPv6 clients are limited per /64: one host usually holds a whole /64 and can pick any address in it. */
const IPV6_CLIENT_PREFIX = 64;

/** Parses `TRUST_PROXY`; `true` is refused, since it trusts the left-most entry a client can forge. */
export function parseTrustProxy(
  raw: string,
): { ok: true; value: TrustProxy } | { ok: false; message: string } {
  const value = raw.trim();
  if (value === '0') return { ok: true, value: { kind: 'none' } };
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops >= 1 && hops <= MAX_TRUSTED_HOPS) return { ok: true, value: { kind: 'hops', hops } };
    return { ok: false, message: `a hop count must be 1 to ${MAX_TRUSTED_HOPS} (0 trusts no proxy)` };
  }
  if (value === 'true' || value === 'false') {
    return {
      ok: false,
      message:
        `'${value}' is not accepted: use 0 (no proxy), the number of proxies in front of the server ` +
        `(1 to ${MAX_TRUSTED_HOPS}), or their addresses (e.g. 127.0.0.1,10.0.0.0/8)`,
    };
  }
  const addresses = value.split(',').map((a) => a.trim());
  try {
    if (addresses.some((a) => a === '')) throw new Error('empty entry');
    proxyAddr.compile(addresses);
  } catch {
    return {
      ok: false,
      message: 'expected 0, a hop count 1-5, or a comma-separated list of addresses/CIDR ranges',
    };
  }
  return { ok: true, value: { kind: 'addresses', addresses } };
}

/** The trust test proxy-addr (and Express's `trust proxy`) takes: is the hop at `addr`, `i` away, trusted? */
export function trustFunction(trust: TrustProxy): (addr: string, i: number) => boolean {
  switch (trust.kind) {
    case 'none':
      return () => false;
    case 'hops':
      return (_addr, i) => i < trust.hops;
    case 'addresses':
      return proxyAddr.compile(trust.addresses);
  }
}

export type ClientAddress = (req: IncomingMessage) => string;

/**
 * The one resolver of a client's address, for REST, the Socket.IO handshake and board upgrades
 * alike: the nearest untrusted hop of `X-Forwarded-For` (never its left-most entry, which the
 * client writes), IPv4-mapped IPv6 as IPv4, and IPv6 as its /64 network.
 */
export function createClientAddress(trust: TrustProxy): ClientAddress {
  const trusted = trustFunction(trust);
  return (req) => {
    let raw: string;
    try {
      raw = proxyAddr(req, trusted);
    } catch {
      raw = req.socket.remoteAddress ?? '';
    }
    return limitKey(raw);
  };
}

/** The address as rate limits key it. */
export function limitKey(raw: string): string {
  if (!ipaddr.isValid(raw)) return raw || 'unknown';
  const addr = ipaddr.process(raw);
  if (addr.kind() === 'ipv4') return addr.toString();
  const network = ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${IPV6_CLIENT_PREFIX}`);
  return `${network.toString()}/${IPV6_CLIENT_PREFIX}`;
}
