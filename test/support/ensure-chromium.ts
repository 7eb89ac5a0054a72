/**
 * `npm test` renders report.html in headless Chromium. On a fresh Debian machine this installs
 * Debian's chromium (as root, through apt-get); elsewhere it says what to install.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromium = '/usr/bin/chromium';
if (!existsSync(chromium)) {
  const root = process.getuid?.() === 0;
  if (root && existsSync('/usr/bin/apt-get')) {
    console.error('installing Debian chromium for the report tests (apt-get install chromium) ...');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  } else {
    console.error(`${chromium} is missing: the report tests need Chromium (Debian: apt-get install chromium)`);
    process.exit(1);
  }
}
