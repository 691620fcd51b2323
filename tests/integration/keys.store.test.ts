/**
 * The key file (server/storage/keyStore.ts): keys survive a reopen and are shared by two
 * connections (two processes of one host); a destroyed key is in no file of its folder, raw, in hex
 * or in base64, and no connection finds it again.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEY_FILE_NAME, openKeyStore } from '../../server/storage/keyStore';
import { filesUnder, scanFolder, tempFolder } from '../helpers/confidential';

/** Files of the folder that hold the key's bytes as they are. */
function rawHits(dir: string, key: Buffer): string[] {
  return filesUnder(dir).filter((f) => readFileSync(f).includes(key));
}

describe('the key file (SCALE-4)', () => {
  it('keeps a key across a reopen, shares it between two connections, and makes one key per owner', () => {
    const dir = tempFolder();
    const file = path.join(dir, KEY_FILE_NAME);
    const a = openKeyStore({ file, synchronous: 'FULL' });
    const b = openKeyStore({ file, synchronous: 'FULL' });
    try {
      const key = a.obtain('meeting:m1');
      expect(key.length).toBe(32);
      expect(b.find('meeting:m1')?.equals(key)).toBe(true);
      // Another process asking for the same owner gets the same key, not a second one.
      expect(b.obtain('meeting:m1').equals(key)).toBe(true);
      expect(a.find('meeting:m2')).toBeNull();
      a.close();
      const reopened = openKeyStore({ file, synchronous: 'FULL' });
      expect(reopened.find('meeting:m1')?.equals(key)).toBe(true);
      expect(reopened.owners()).toEqual(['meeting:m1']);
      reopened.close();
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      b.close();
    }
  });

  it('a destroyed key is in no file of the folder (raw, hex, base64) and no connection finds it', async () => {
    const dir = tempFolder();
    const file = path.join(dir, KEY_FILE_NAME);
    const a = openKeyStore({ file, synchronous: 'FULL' });
    const b = openKeyStore({ file, synchronous: 'FULL' });
    const kept = a.obtain('meeting:kept');
    const doomed = a.obtain('meeting:doomed');
    expect(rawHits(dir, doomed).length).toBeGreaterThan(0);

    const scrubbed = new Promise<void>((resolve) => a.destroy('meeting:doomed', resolve));
    await scrubbed;
    expect(b.find('meeting:doomed')).toBeNull();
    expect(b.find('meeting:kept')?.equals(kept)).toBe(true);
    expect(rawHits(dir, doomed)).toEqual([]);
    expect(scanFolder(dir, [doomed.toString('hex'), doomed.toString('base64')])).toEqual([]);
    a.close();
    b.close();
    expect(rawHits(dir, doomed)).toEqual([]);
    expect(rawHits(dir, kept).length).toBeGreaterThan(0);
  });
});
