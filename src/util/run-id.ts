import { randomBytes } from 'node:crypto';

/**
 * A run id that sorts by time and is a valid DNS label (it names the kwok cluster too):
 * fb-20261125-123456-a1b2.
 */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `fb-${stamp}-${randomBytes(2).toString('hex')}`.toLowerCase();
}
