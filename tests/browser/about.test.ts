/**
 * BUILD-4: the About page names the running version and offers the source of this very build
 * (AGPL-3.0 section 13): /source.tar.gz, made by `npm run build` from the files the build read,
 * never from what a server writes (dependencies, builds, data folder, SQLite files).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../../scripts/build.mjs';
import { openPerson, useBrowserRun, VIEWPORTS } from './browser';

const ROOT = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('the source of the running version (BUILD-4)', { timeout: 120_000 }, () => {
  const run = useBrowserRun();

  it('BUILD-4: the About page names the version and its link downloads this build’s source', async () => {
    const { page } = await openPerson(run.browser, { viewport: VIEWPORTS.laptop, locale: 'en-GB' });
    await page.goto(`${run.server.url}/about`);
    await expect
      .poll(() => page.getByTestId('about-source').textContent())
      .toContain(`version ${pkg.version}`);
    const link = page.getByRole('link', { name: 'Download the source code of this version (.tar.gz)' });
    const href = await link.getAttribute('href');
    expect(href).toBe('/source.tar.gz');

    const download = page.waitForEvent('download');
    await link.click();
    const file = await (await download).path();
    const entries = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n');
    const top = `balint-room-${pkg.version}/`;
    expect(entries.every((e) => e.startsWith(top))).toBe(true);
    for (const needed of [
      'package.json',
      'package-lock.json',
      'LICENSE',
      'server/main.ts',
      'client/src/App.tsx',
    ])
      expect(entries).toContain(top + needed);
    expect(entries.filter((e) => /node_modules\/|(^|\/)dist\/|\.sqlite|\.git\//.test(e))).toEqual([]);
    // The archive's package.json is the running one.
    const packed = execFileSync('tar', ['-xzOf', file, `${top}package.json`], { encoding: 'utf8' });
    expect(JSON.parse(packed)).toEqual(pkg);
  });

  it('BUILD-4: a SQLite file, a data folder or an environment file in the tree never goes into it', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'balint-source-'));
    mkdirSync(path.join(root, 'server'));
    mkdirSync(path.join(root, 'data'));
    writeFileSync(path.join(root, 'server', 'main.ts'), 'export {};\n');
    writeFileSync(path.join(root, 'data', 'balint-room.sqlite'), 'x');
    writeFileSync(path.join(root, '.env'), 'CREATE_KEY=secret\n');
    writeFileSync(path.join(root, 'server.log'), 'log\n');
    // A database under any name is recognised by its header.
    writeFileSync(
      path.join(root, 'server', 'backup.bin'),
      Buffer.from('SQLite format 3\0' + 'x'.repeat(100), 'latin1'),
    );
    expect(sourceFiles(root)).toEqual(['server/main.ts']);
  });
});
