import type { NetworkInterfaceInfo } from 'node:os';
import ipaddr from 'ipaddr.js';

/**
 * Interfaces that never reach the phones in the room: container and VM bridges, their veth ends,
 * and VPN tunnels. An address there is private but routes to a machine of its own, not the Wi-Fi.
 */
const UNREACHABLE_INTERFACE = /^(docker\d*|podman|cni|veth|virbr|br-|tun|wg)/;

/** `os.networkInterfaces()` lists only interfaces that are up, so "up" needs no check of its own. */
export type InterfaceTable = NodeJS.Dict<NetworkInterfaceInfo[]>;

/**
 * The addresses a phone on the same network can open: private IPv4 addresses (RFC 1918) of the
 * machine's interfaces, without container and VPN bridges; IPv6 (unique-local or global, never
 * link-local, which needs a zone a URL cannot carry) only when no IPv4 address qualifies.
 * Pure, over the shape of `os.networkInterfaces()`, so that any machine's table can be tested.
 */
export function phoneAddresses(table: InterfaceTable): string[] {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const [name, infos] of Object.entries(table)) {
    if (!infos || UNREACHABLE_INTERFACE.test(name)) continue;
    for (const info of infos) {
      if (info.internal || !ipaddr.isValid(info.address)) continue;
      const parsed = ipaddr.parse(info.address);
      const range = parsed.range();
      if (parsed.kind() === 'ipv4' && range === 'private') v4.push(parsed.toString());
      if (parsed.kind() === 'ipv6' && (range === 'uniqueLocal' || range === 'unicast'))
        v6.push(parsed.toString());
    }
  }
  return unique(v4.length > 0 ? v4 : v6);
}

/**
 * What the server prints and offers for a listening host: every phone address when it listens
 * on all interfaces, the host itself when it is one of them, nothing on loopback alone.
 */
export function phoneAddressesFor(host: string, table: InterfaceTable): string[] {
  if (host === '0.0.0.0' || host === '::') return phoneAddresses(table);
  if (!ipaddr.isValid(host)) return [];
  const parsed = ipaddr.parse(host);
  return parsed.range() === 'private' || parsed.range() === 'uniqueLocal' ? [parsed.toString()] : [];
}

/** The origin of an address on a port, with IPv6 in brackets as URLs need it. */
export function originOf(address: string, port: number, protocol: 'http' | 'https' = 'http'): string {
  const host = address.includes(':') ? `[${address}]` : address;
  return `${protocol}://${host}:${port}`;
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

/** How long a read of the interfaces is reused: views are made often, addresses change rarely. */
export const ADDRESSES_REFRESH_MS = 10_000;

/** `read` at most once per `ttlMs` (a laptop that joins the Wi-Fi later is seen within that). */
export function refreshedEvery<T>(ttlMs: number, read: () => T, now: () => number = Date.now): () => T {
  let at = -Infinity;
  let value: T;
  return () => {
    if (now() - at >= ttlMs) {
      value = read();
      at = now();
    }
    return value;
  };
}

/** What the console shows at start: the local address, then every one phones can open. */
export function startBanner(localOrigin: string, phoneOrigins: readonly string[]): string {
  const lines = [`Balint Room is running: open ${localOrigin}`];
  if (phoneOrigins.length > 0) {
    lines.push('Phones in the room (same network) can join at:');
    for (const origin of phoneOrigins) lines.push(`  ${origin}`);
  }
  return `\n${lines.join('\n')}\n\n`;
}
