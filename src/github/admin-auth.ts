import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { requiresAuthentication, type RestResponse } from './rest.ts';

/**
 * A fresh admin secret: 32 random bytes, base64url, with a prefix that makes it recognisable
 * in a leak scan (as GitHub's `ghp_` does for tokens). One per started fake GitHub; it exists
 * only in memory and in whatever the caller chooses to print.
 */
export function newAdminSecret(): string {
  return `fbadmin_${randomBytes(32).toString('base64url')}`;
}

/**
 * Whether an Authorization header carries `Bearer <secret>`. Both sides are hashed first so the
 * comparison takes the same time whatever the length or content of the guess.
 */
export function presentsAdminSecret(authorization: string | undefined, secret: string): boolean {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  const given = createHash('sha256').update(match?.[1] ?? '').digest();
  const expected = createHash('sha256').update(secret).digest();
  return timingSafeEqual(given, expected) && match !== null;
}

/** GitHub's answer to a request without (valid) credentials, with a Bearer challenge. */
export function adminAuthenticationRequired(): RestResponse {
  return { ...requiresAuthentication(), headers: { 'www-authenticate': 'Bearer realm="fluxbench admin"' } };
}
