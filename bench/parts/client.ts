/**
 * Client: gzip size of the JavaScript each route loads. Builds the client with the project's
 * vite config into a temporary folder (client/dist is left alone) with a manifest, and follows
 * each route's chunk graph: the entry chunk and its static imports, plus the lazily loaded
 * screens the route shows and their static imports.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { exited, ROOT, spawnNode } from '../lib/children';
import type { Report } from '../lib/report';

const BUILD_TIMEOUT_MS = 180_000;
const KB = 1024;
/** Target from the issue: the participant route under 150 KB of gzip JavaScript. */
const PARTICIPANT_TARGET_KB = 150;

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
}
type Manifest = Record<string, ManifestChunk>;

/** What each route shows, by the screens' source files (lazy chunks in client/src/App.tsx). */
const ROUTES: { route: string; shows: string; screens: string[] }[] = [
  { route: 'participant', shows: '/join, then /m/:id/seat', screens: ['JoinScreen', 'SeatScreen'] },
  { route: 'leader', shows: '/ (create), then /m/:id/lead', screens: ['StartScreen', 'LeaderScreen'] },
  { route: 'projector', shows: '/m/:id/projector', screens: ['ProjectorScreen'] },
];

async function build(outDir: string): Promise<void> {
  const child = spawnNode(path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), [
    'build',
    '--outDir',
    outDir,
    '--emptyOutDir',
    '--manifest',
    '--logLevel',
    'error',
  ]);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
  await exited(child);
  clearTimeout(timer);
  if (child.exitCode !== 0)
    throw new Error(`vite build failed (${child.exitCode ?? child.signalCode}): ${stderr}`);
}

function closure(manifest: Manifest, key: string, into: Set<string>): void {
  const chunk = manifest[key];
  if (!chunk || into.has(chunk.file)) return;
  into.add(chunk.file);
  for (const imported of chunk.imports ?? []) closure(manifest, imported, into);
}

export async function runClient(report: Report, tmp: string): Promise<void> {
  const section = report.section('client', 'Client: gzip JavaScript per route');
  const outDir = path.join(tmp, 'client-dist');
  await build(outDir);
  const manifestFile = path.join(outDir, '.vite', 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error('vite wrote no manifest');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
  const entry = Object.keys(manifest).find((k) => manifest[k]?.isEntry);
  if (!entry) throw new Error('the manifest has no entry chunk');
  const gzipped = (file: string) => gzipSync(readFileSync(path.join(outDir, file))).byteLength;
  const allJs = [...new Set(Object.values(manifest).map((c) => c.file))].filter((f) => f.endsWith('.js'));

  section.columns(['route', 'what it loads', 'JS files', 'gzip', 'raw', 'target']);
  for (const { route, shows, screens } of ROUTES) {
    const files = new Set<string>();
    closure(manifest, entry, files);
    const screenKeys = screens.map((s) => Object.keys(manifest).find((k) => k.endsWith(`screens/${s}.tsx`)));
    const split = screenKeys.every((k) => k !== undefined);
    if (split) for (const k of screenKeys) closure(manifest, k as string, files);
    // Not split per route: every route loads all of it.
    const js = split ? [...files].filter((f) => f.endsWith('.js')) : allJs;
    const gzipBytes = js.reduce((sum, f) => sum + gzipped(f), 0);
    const rawBytes = js.reduce((sum, f) => sum + readFileSync(path.join(outDir, f)).byteLength, 0);
    report.set(`client.${route}.gzipKB`, gzipBytes / KB);
    const target =
      route === 'participant'
        ? report.target(
            gzipBytes / KB,
            '<',
            PARTICIPANT_TARGET_KB,
            'KB',
            'participant route < 150 KB gzip JS',
          )
        : '';
    section.row([
      route,
      split ? shows : `${shows} (not split: all JS)`,
      String(js.length),
      `${(gzipBytes / KB).toFixed(1)} KB`,
      `${(rawBytes / KB).toFixed(1)} KB`,
      target,
    ]);
  }
  section.note(`gzip level 6 (zlib default) of each file, summed; CSS and the HTML page are not counted.`);
}
