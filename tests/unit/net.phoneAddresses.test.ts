import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  originOf,
  phoneAddresses,
  phoneAddressesFor,
  refreshedEvery,
  startBanner,
  type InterfaceTable,
} from '../../server/net/phoneAddresses';

/** One entry of `os.networkInterfaces()`, as Node reports it. */
function info(address: string, internal = false): NetworkInterfaceInfo {
  const v6 = address.includes(':');
  const common = { address, internal, mac: '02:00:00:00:00:01' };
  return v6
    ? { ...common, family: 'IPv6', netmask: 'ffff:ffff:ffff:ffff::', cidr: `${address}/64`, scopeid: 0 }
    : { ...common, family: 'IPv4', netmask: '255.255.255.0', cidr: `${address}/24` };
}

/** A laptop on hotel Wi-Fi with Docker, libvirt, podman, WireGuard and a VPN running. */
const BUSY_LAPTOP: InterfaceTable = {
  lo: [info('127.0.0.1', true), info('::1', true)],
  wlp2s0: [info('192.168.178.23'), info('fe80::1c2d:3eff:fe4f:5a6b'), info('fd12:3456::23')],
  enp0s31f6: [info('10.20.30.40')],
  docker0: [info('172.17.0.1')],
  'br-5f2a9c': [info('172.18.0.1')],
  veth1a2b3c: [info('fe80::aa:bbff:fecc:ddee')],
  virbr0: [info('192.168.122.1')],
  podman0: [info('10.88.0.1')],
  cni0: [info('10.22.0.1')],
  tun0: [info('10.8.0.6')],
  wg0: [info('10.66.66.2')],
  tailscale: [info('100.101.102.103')],
  usb0: [info('169.254.12.34')],
};

describe('LAN-1: the addresses phones can use', () => {
  it('LAN-1: private IPv4 of real interfaces, without loopback, bridges, tunnels, link-local or CGNAT', () => {
    expect(phoneAddresses(BUSY_LAPTOP)).toEqual(['192.168.178.23', '10.20.30.40']);
  });

  it('LAN-1: the three RFC 1918 ranges qualify, their neighbours do not', () => {
    const table: InterfaceTable = {
      a: [info('10.0.0.1'), info('172.16.0.1'), info('172.31.255.254'), info('192.168.0.1')],
      b: [info('172.15.0.1'), info('172.32.0.1'), info('192.169.0.1'), info('11.0.0.1')],
      c: [info('192.0.2.2'), info('8.8.8.8')],
    };
    expect(phoneAddresses(table)).toEqual(['10.0.0.1', '172.16.0.1', '172.31.255.254', '192.168.0.1']);
  });

  it('LAN-1: IPv6 (unique-local or global, never link-local) only when no IPv4 qualifies', () => {
    const v6Only: InterfaceTable = {
      lo: [info('::1', true)],
      eth0: [info('192.0.2.2'), info('fe80::2'), info('fd00::2'), info('2a01:4f8:1:2::3')],
      wg0: [info('fd99::1')],
    };
    expect(phoneAddresses(v6Only)).toEqual(['fd00::2', '2a01:4f8:1:2::3']);
    expect(phoneAddresses({ ...v6Only, wlan0: [info('192.168.1.9')] })).toEqual(['192.168.1.9']);
  });

  it('LAN-1: nothing at all when only loopback and bridges are up; an empty table is fine', () => {
    expect(phoneAddresses({ lo: [info('127.0.0.1', true)], docker0: [info('172.17.0.1')] })).toEqual([]);
    expect(phoneAddresses({})).toEqual([]);
    expect(phoneAddresses({ eth0: undefined })).toEqual([]);
  });

  it('LAN-1: an address on two interfaces is listed once', () => {
    expect(phoneAddresses({ eth0: [info('10.1.1.1')], eth1: [info('10.1.1.1')] })).toEqual(['10.1.1.1']);
  });
});

describe('LAN-2: what the listening host offers', () => {
  it('LAN-2: all interfaces on 0.0.0.0 and ::, the host itself when private, nothing on loopback', () => {
    expect(phoneAddressesFor('0.0.0.0', BUSY_LAPTOP)).toEqual(['192.168.178.23', '10.20.30.40']);
    expect(phoneAddressesFor('::', BUSY_LAPTOP)).toEqual(['192.168.178.23', '10.20.30.40']);
    expect(phoneAddressesFor('192.168.178.23', BUSY_LAPTOP)).toEqual(['192.168.178.23']);
    expect(phoneAddressesFor('127.0.0.1', BUSY_LAPTOP)).toEqual([]);
    expect(phoneAddressesFor('localhost', BUSY_LAPTOP)).toEqual([]);
  });

  it('LAN-2: origins put IPv6 in brackets', () => {
    expect(originOf('192.168.1.9', 8080)).toBe('http://192.168.1.9:8080');
    expect(originOf('fd00::2', 8080)).toBe('http://[fd00::2]:8080');
  });

  it('LAN-2: the start banner lists every phone address next to the local one', () => {
    const banner = startBanner('http://localhost:8080', ['http://192.168.1.9:8080', 'http://10.0.0.5:8080']);
    expect(banner).toContain('open http://localhost:8080');
    expect(banner).toContain('\n  http://192.168.1.9:8080\n');
    expect(banner).toContain('\n  http://10.0.0.5:8080\n');
    expect(startBanner('http://localhost:8080', [])).not.toContain('Phones');
  });

  it('LAN-2: interfaces are read again only after the refresh period', () => {
    let now = 0;
    let reads = 0;
    const read = refreshedEvery(
      10_000,
      () => ++reads,
      () => now,
    );
    expect([read(), read()]).toEqual([1, 1]);
    now = 9_999;
    expect(read()).toBe(1);
    now = 10_000;
    expect(read()).toBe(2);
  });
});
