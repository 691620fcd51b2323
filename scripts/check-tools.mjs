// First step of `npm test`: every tool the tests need is here, or one line says what is missing
// and the run stops (a test is never skipped for a missing tool).
import { accessSync, constants } from 'node:fs';

/** The one apt-get line that installs everything the tests need on Debian (README, Tests). */
const APT_LINE =
  'apt-get install -y chromium fonts-dejavu-core sqlite3 poppler-utils postgresql redis-server haproxy';
/** Debian's PostgreSQL 15 keeps its server programs here, off PATH (tests/helpers/services.ts). */
const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const missing = [];
if (!executable(chromium)) missing.push(`Chromium at ${chromium} (or set CHROMIUM_PATH)`);
// The data-folder lock test runs a real `sqlite3 .backup` beside the server (DISK-14).
if (!['/usr/bin/sqlite3', '/usr/local/bin/sqlite3'].some(executable)) missing.push('the sqlite3 shell');
// Certificates (CERT-3): the PDF test reads its text and pictures with poppler's tools.
for (const tool of ['pdftotext', 'pdftoppm'])
  if (!['/usr/bin/', '/usr/local/bin/'].some((dir) => executable(dir + tool))) missing.push(tool);
// Several server processes (issue 14): the tests start real PostgreSQL, Redis and HAProxy.
for (const tool of ['initdb', 'postgres'])
  if (!executable(`${POSTGRES_BIN}/${tool}`)) missing.push(`PostgreSQL 15 (${POSTGRES_BIN}/${tool})`);
for (const [tool, dirs] of [
  ['redis-server', ['/usr/bin/', '/usr/local/bin/']],
  ['haproxy', ['/usr/sbin/', '/usr/local/sbin/', '/usr/bin/']],
])
  if (!dirs.some((dir) => executable(dir + tool))) missing.push(tool);
try {
  accessSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', constants.R_OK);
} catch {
  missing.push('DejaVu Sans (fonts-dejavu-core)');
}

if (missing.length > 0) {
  process.stderr.write(`npm test needs ${missing.join(' and ')}: ${APT_LINE}\n`);
  process.exit(2);
}
