import bcrypt from 'bcryptjs';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { secretsEqual } from '../serving/admin-auth.ts';

/** A user name and its password; the password is not enumerable (not logged or serialized by mistake). */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** Fresh credentials for `username`: 32 random bytes as base64url (43 characters). */
export function newCredentials(username: string): Credentials {
  const credentials = { username, password: randomBytes(32).toString('base64url') };
  Object.defineProperty(credentials, 'password', { enumerable: false });
  return credentials;
}

/**
 * bcrypt's lowest cost. The registry checks the htpasswd hash on every request, so the cost is
 * paid per pull; it exists to slow guessing of weak passwords, and these are 256 random bits.
 */
const bcryptCost = 4;

/**
 * Writes an htpasswd file (bcrypt entries, the only kind Distribution accepts) for `users`,
 * readable by the owner only.
 */
export async function writeHtpasswd(path: string, users: readonly Credentials[]): Promise<void> {
  const lines = users.map((u) => `${u.username}:${bcrypt.hashSync(u.password, bcryptCost)}`);
  await writeFile(path, `${lines.join('\n')}\n`, { mode: 0o600 });
}

/** `Basic <base64(user:password)>` for an Authorization header. */
export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

export type BasicCredentials = { scheme: 'none' } | { scheme: 'basic'; username: string; password: string } | { scheme: 'malformed' };

/** Reads an Authorization header's Basic credentials; anything else than Basic is malformed. */
export function parseBasicAuthorization(header: string | undefined): BasicCredentials {
  if (header === undefined || header.trim() === '') return { scheme: 'none' };
  const match = /^Basic[ \t]+([A-Za-z0-9+/=_-]+)[ \t]*$/i.exec(header);
  if (!match) return { scheme: 'malformed' };
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { scheme: 'malformed' };
  return { scheme: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Whether `given` are `expected`, the password compared in constant time. */
export function credentialsMatch(given: { username: string; password: string }, expected: Credentials): boolean {
  const passwordOk = secretsEqual(given.password, expected.password);
  return passwordOk && given.username === expected.username;
}

/**
 * Whether an Authorization header is exactly `expected` (a `Basic ...` value), compared in
 * constant time: the per-request fast path (hashing both sides costs more than the rest of the
 * check). Only the length can differ quickly, and every valid header has the same length.
 */
export function isAuthorization(header: string, expected: Buffer): boolean {
  const given = Buffer.from(header, 'latin1');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
