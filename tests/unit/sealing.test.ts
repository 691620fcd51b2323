/**
 * The sealing of a meeting's content under its own key (server/security/sealing.ts): AES-256-GCM
 * with a fresh IV each time and the row's identity as additional data; keyed hashes for tokens.
 */
import { describe, expect, it } from 'vitest';
import { keyedHash, newMeetingKey, seal, unseal, unsealText } from '../../server/security/sealing';

describe('sealing (SCALE-3)', () => {
  const key = newMeetingKey();
  const identity = 'notes.text/m1/n1';

  it('opens what it sealed, text and bytes, and the sealed bytes hold no plain text', () => {
    const text = 'the father who keeps calling';
    const sealed = seal(key, text, identity);
    expect(sealed.includes(Buffer.from(text))).toBe(false);
    expect(unsealText(key, sealed, identity)).toBe(text);
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    expect([...unseal(key, seal(key, bytes, identity), identity)]).toEqual([...bytes]);
  });

  it('uses a fresh 96-bit IV for every sealing: the same text twice gives different bytes', () => {
    const ivs = new Set<string>();
    for (let i = 0; i < 200; i++) ivs.add(seal(key, 'same', identity).subarray(1, 13).toString('hex'));
    expect(ivs.size).toBe(200);
  });

  it('refuses another key, another row, a changed byte and a value that is not sealed', () => {
    const sealed = seal(key, 'text', identity);
    expect(() => unseal(newMeetingKey(), sealed, identity)).toThrow();
    expect(() => unseal(key, sealed, 'notes.text/m1/n2')).toThrow();
    for (const at of [0, 5, 20, sealed.length - 1]) {
      const changed = Buffer.from(sealed);
      changed[at] = (changed[at] as number) ^ 1;
      expect(() => unseal(key, changed, identity), `byte ${at}`).toThrow();
    }
    expect(() => unseal(key, Buffer.from('plain text, not sealed'), identity)).toThrow();
    expect(() => seal(Buffer.alloc(16), 'text', identity)).toThrow(/32 bytes/);
  });

  it('keyed hashes: the same secret gives the same hash under one key, another under another', () => {
    const other = newMeetingKey();
    expect(keyedHash(key, 'token')).toBe(keyedHash(key, 'token'));
    expect(keyedHash(key, 'token')).not.toBe(keyedHash(other, 'token'));
    expect(keyedHash(key, 'token')).not.toBe(keyedHash(key, 'token2'));
    expect(keyedHash(key, 'token')).toMatch(/^[0-9a-f]{64}$/);
  });
});
