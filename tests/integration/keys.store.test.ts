/**
 * The key file (server/storage/keyStore.ts): keys survive a reopen and are shared by two
 * connections (two processes of one host); a destroyed key is in no file of its folder, raw, in hex
 * or in base64, and no connection finds it again.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

const KEY_STORE_MODULE = fileURLToPath(new URL('../../server/storage/keyStore.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A process of the same host: makes keys, destroys every other one, and asks for one shared owner,
 * all as fast as it can; prints what it kept and the shared key (this test's own key, not content).
 */
const WORKER = `
import { openKeyStore } from ${JSON.stringify(KEY_STORE_MODULE)};
const [file, name, count] = process.argv.slice(2);
const keys = openKeyStore({ file, synchronous: 'FULL' });
const kept = [];
let shared = '';
for (let i = 0; i < Number(count); i++) {
  const owner = 'meeting:' + name + '-' + i;
  keys.obtain(owner);
  if (i % 2) keys.destroy(owner);
  else kept.push(owner);
  shared = keys.obtain('meeting:shared').toString('hex');
}
keys.close();
process.stdout.write(JSON.stringify({ kept, shared }));
`;

function runWorker(script: string, file: string, name: string, count: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, file, name, String(count)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  return new Promise<{ kept: string[]; shared: string }>((resolve, reject) => {
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as { kept: string[]; shared: string })
        : // Quoted: vitest would read the child's stack lines as this error's frames (and fails on tsx's).
          reject(new Error(`${name} exited ${code}:\n${err.replace(/^/gm, '| ')}`)),
    );
  });
}

describe('the key file shared by the processes of one host (SCALE-4)', () => {
  it('SCALE-4: three processes making and destroying keys at once: none fails, one key per owner, and each process sees the others’ keys', async () => {
    const dir = tempFolder();
    const file = path.join(dir, KEY_FILE_NAME);
    const script = path.join(dir, 'worker.ts');
    writeFileSync(script, WORKER);
    const results = await Promise.all(['a', 'b', 'c'].map((name) => runWorker(script, file, name, 60)));
    const store = openKeyStore({ file, synchronous: 'FULL' });
    try {
      const kept = results.flatMap((r) => r.kept);
      expect(store.owners()).toEqual([...kept, 'meeting:shared'].sort());
      expect(new Set(results.map((r) => r.shared)).size).toBe(1);
      expect(store.find('meeting:shared')?.toString('hex')).toBe(results[0]?.shared);
    } finally {
      store.close();
    }
  }, 60_000);
});
