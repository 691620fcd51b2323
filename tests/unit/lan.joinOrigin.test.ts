import { describe, expect, it } from 'vitest';
import { chosenOrigin, isLoopbackHost, joinOriginChoices } from '../../client/src/meeting/joinOrigin';

const OFFER = ['http://192.168.1.9:8080', 'http://10.0.0.5:8080'];

describe('LAN-4: the join link is built from an address phones can open', () => {
  it('LAN-4: loopback hosts are localhost, *.localhost, 127/8 and ::1', () => {
    for (const h of ['localhost', 'LOCALHOST', 'app.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1'])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['192.168.1.9', 'balint.example.org', '[fd00::2]', '128.0.0.1', 'localhost.example.org'])
      expect(isLoopbackHost(h), h).toBe(false);
  });

  it('LAN-4: a loopback page uses the offered origins; any other page keeps its own', () => {
    const local = { origin: 'http://localhost:8080', hostname: 'localhost' };
    const lan = { origin: 'http://192.168.1.9:8080', hostname: '192.168.1.9' };
    expect(joinOriginChoices(local, OFFER)).toEqual(OFFER);
    expect(joinOriginChoices(local, undefined)).toEqual(['http://localhost:8080']);
    expect(joinOriginChoices(local, [])).toEqual(['http://localhost:8080']);
    expect(joinOriginChoices(lan, OFFER)).toEqual(['http://192.168.1.9:8080']);
    const proxied = ['https://balint.example.org'];
    expect(joinOriginChoices(local, proxied)).toEqual(proxied);
  });

  it('LAN-5: the remembered pick wins while it is offered, else the first', () => {
    expect(chosenOrigin(OFFER, 'http://10.0.0.5:8080')).toBe('http://10.0.0.5:8080');
    expect(chosenOrigin(OFFER, 'http://172.16.0.4:8080')).toBe('http://192.168.1.9:8080');
    expect(chosenOrigin(OFFER, null)).toBe('http://192.168.1.9:8080');
  });
});
