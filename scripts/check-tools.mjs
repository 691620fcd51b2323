// First step of `npm test`: every tool the tests need is here, or one line says what is missing
// and the run stops (a test is never skipped for a missing tool).
import { accessSync, constants } from 'node:fs';

/** The one apt-get line that installs everything the tests need on Debian (README, Tests). */
const APT_LINE = 'apt-get install -y chromium fonts-dejavu-core';

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

if (missing.length > 0) {
  process.stderr.write(`npm test needs ${missing.join(' and ')}: ${APT_LINE}\n`);
  process.exit(2);
}
