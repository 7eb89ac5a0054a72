import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A fresh admin secret: 32 random bytes, base64url, with a prefix that makes it recognisable
 * in a leak scan (as GitHub's `ghp_` does for tokens). One per started host; it exists only in
 * memory and in whatever the caller chooses to print.
 */
export function newAdminSecret(): string {
  return `fbadmin_${randomBytes(32).toString('base64url')}`;
}

/**
 * Whether two secrets are equal, in a time that does not depend on where they differ or on
 * their lengths: both sides are hashed first, then compared in constant time.
 */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Whether an Authorization header carries `Bearer <secret>`, compared in constant time. */
export function presentsAdminSecret(authorization: string | undefined, secret: string): boolean {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  return secretsEqual(match?.[1] ?? '', secret) && match !== null;
}
