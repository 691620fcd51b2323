import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

interface PackageJson {
  version: string;
  repository?: string | { url?: string };
}

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as PackageJson;

/** The commit being built: SOURCE_COMMIT (an image build has no .git), else git, else unknown. */
function sourceCommit(): string {
  if (process.env.SOURCE_COMMIT) return process.env.SOURCE_COMMIT;
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return '';
  }
}

/**
 * Where the About page sends people for the source (AGPL-3.0 section 13): SOURCE_URL at build
 * time, so that whoever builds a modified version points to their own source; else package.json.
 */
function sourceUrl(): string {
  if (process.env.SOURCE_URL) return process.env.SOURCE_URL;
  const repo = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  return (repo ?? '').replace(/^git\+/, '').replace(/\.git$/, '');
}

// The client is one app with a route per role; the server serves client/dist.
export default defineConfig({
  root: 'client',
  plugins: [react()],
  define: {
    __BALINT_VERSION__: JSON.stringify(pkg.version),
    __BALINT_COMMIT__: JSON.stringify(sourceCommit()),
    __BALINT_SOURCE_URL__: JSON.stringify(sourceUrl()),
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/healthz': 'http://127.0.0.1:8080',
      '/socket.io': { target: 'ws://127.0.0.1:8080', ws: true },
      '/board': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
});
