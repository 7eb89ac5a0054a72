import { createPublicKey, randomBytes, verify } from 'node:crypto';
import type { TokenSpec } from './options.ts';
import { globToRegExp } from './names.ts';

/** Who a request counts against, and what it may do. */
export interface Identity {
  /** Rate-limit bucket key: `token:<name>`, `installation:<id>`, `app:<id>`, `ip:<address>`. */
  key: string;
  /** What samples call it (never the secret). */
  label: string;
  kind: 'token' | 'installation' | 'app' | 'anonymous';
  permission: 'read' | 'write' | 'none';
  /** Which repositories it can see; undefined = all. */
  repos?: RegExp[];
}

export type Credentials =
  | { scheme: 'none' }
  | { scheme: 'token'; token: string }
  | { scheme: 'bearer'; token: string }
  | { scheme: 'malformed' };

/**
 * Reads credentials the way GitHub accepts them: Basic with the token as password (any
 * username, e.g. `x-access-token`) or as username with an empty password, `Bearer <token>`,
 * and `token <token>`.
 */
export function parseCredentials(authorization: string | undefined): Credentials {
  if (authorization === undefined || authorization.trim() === '') return { scheme: 'none' };
  const match = /^(\S+)\s+(\S+)\s*$/.exec(authorization);
  if (!match) return { scheme: 'malformed' };
  const scheme = match[1]!.toLowerCase();
  const value = match[2]!;
  if (scheme === 'bearer') return { scheme: 'bearer', token: value };
  if (scheme === 'token') return { scheme: 'token', token: value };
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { scheme: 'malformed' };
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const token = password !== '' ? password : user;
    return token === '' ? { scheme: 'malformed' } : { scheme: 'token', token };
  }
  return { scheme: 'malformed' };
}

export interface RegisteredToken {
  name: string;
  token: string;
  kind: 'token' | 'installation';
  permission: 'read' | 'write';
  /** Per-token primary limit; undefined = the configured default for its kind. */
  limit?: number;
  repoGlobs?: string[];
  installationId?: number;
  /** ms since epoch; undefined = never expires. */
  expiresAt?: number;
}

function randomToken(prefix: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(36);
  let out = prefix;
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

/** The per-run tokens the fake GitHub accepts. */
export class TokenRegistry {
  private readonly byToken = new Map<string, RegisteredToken>();

  /** Registers a personal-access-style token (`ghp_...` unless given). */
  issue(spec: TokenSpec): RegisteredToken {
    const entry: RegisteredToken = {
      name: spec.name,
      token: spec.token ?? randomToken('ghp_'),
      kind: 'token',
      permission: spec.permission,
      ...(spec.limit !== undefined ? { limit: spec.limit } : {}),
      ...(spec.repos ? { repoGlobs: spec.repos } : {}),
    };
    for (const [secret, existing] of this.byToken) if (existing.name === spec.name) this.byToken.delete(secret);
    this.byToken.set(entry.token, entry);
    return entry;
  }

  /** An installation token (`ghs_...`), as POST /app/installations/{id}/access_tokens returns. */
  issueInstallationToken(installationId: number, expiresAt: number): RegisteredToken {
    const entry: RegisteredToken = {
      name: `installation-${installationId}`,
      token: randomToken('ghs_'),
      kind: 'installation',
      permission: 'write',
      installationId,
      expiresAt,
    };
    this.byToken.set(entry.token, entry);
    return entry;
  }

  /** The live entry for a secret, or undefined when unknown or expired. */
  lookup(token: string, now: number): RegisteredToken | undefined {
    const entry = this.byToken.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= now) {
      this.byToken.delete(token);
      return undefined;
    }
    return entry;
  }

  revoke(name: string): boolean {
    let removed = false;
    for (const [secret, entry] of this.byToken) {
      if (entry.name === name) {
        this.byToken.delete(secret);
        removed = true;
      }
    }
    return removed;
  }

  list(): RegisteredToken[] {
    return [...this.byToken.values()];
  }
}

export function identityOfToken(entry: RegisteredToken): Identity {
  const repos = entry.repoGlobs?.map(globToRegExp);
  if (entry.kind === 'installation') {
    return { key: `installation:${entry.installationId}`, label: `installation:${entry.installationId}`, kind: 'installation', permission: entry.permission };
  }
  return { key: `token:${entry.name}`, label: entry.name, kind: 'token', permission: entry.permission, ...(repos ? { repos } : {}) };
}

export function anonymousIdentity(address: string): Identity {
  return { key: `ip:${address}`, label: `anonymous:${address}`, kind: 'anonymous', permission: 'none' };
}

export function canSee(identity: Identity, fullName: string): boolean {
  return identity.repos === undefined || identity.repos.some((re) => re.test(fullName));
}

/** A token-shaped string that is a JWT (three base64url parts). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

export type JwtCheck = { ok: true; appId: string } | { ok: false; message: string };

/**
 * Checks a GitHub App JWT as GitHub does: RS256, `iss` = the App id, `iat` not in the future
 * (60 s drift), `exp` in the future and at most ~10 minutes ahead. The signature is checked only
 * when a public key is configured.
 */
export function verifyAppJwt(jwt: string, expected: { appId: string; publicKeyPem?: string; nowMs: number }): JwtCheck {
  const parts = jwt.split('.');
  if (parts.length !== 3) return { ok: false, message: 'A JSON web token could not be decoded' };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as Record<string, unknown>;
    payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return { ok: false, message: 'A JSON web token could not be decoded' };
  }
  if (typeof header !== 'object' || header === null || header.alg !== 'RS256') {
    return { ok: false, message: "'alg' must be RS256" };
  }
  if (typeof payload !== 'object' || payload === null) return { ok: false, message: 'A JSON web token could not be decoded' };
  const nowSec = expected.nowMs / 1000;
  const { iss, iat, exp } = payload;
  if (String(iss) !== expected.appId) return { ok: false, message: "'Issuer' claim ('iss') must be an Integer" };
  if (typeof iat !== 'number' || iat > nowSec + 60) return { ok: false, message: "'Issued at' claim ('iat') must be an Integer representing a time in the past" };
  if (typeof exp !== 'number' || exp <= nowSec) return { ok: false, message: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires" };
  if (exp > nowSec + 660) return { ok: false, message: "'Expiration time' claim ('exp') is too far in the future" };
  if (expected.publicKeyPem) {
    try {
      const key = createPublicKey(expected.publicKeyPem);
      const valid = verify('sha256', Buffer.from(`${headerPart}.${payloadPart}`), key, Buffer.from(signaturePart, 'base64url'));
      if (!valid) return { ok: false, message: 'A JSON web token could not be decoded' };
    } catch {
      return { ok: false, message: 'A JSON web token could not be decoded' };
    }
  }
  return { ok: true, appId: expected.appId };
}

/** The rate-limit bucket key of an identity label as samples show it. */
export function identityKeyOfLabel(label: string): string {
  if (label.startsWith('installation:') || label.startsWith('app:')) return label;
  if (label.startsWith('anonymous:')) return `ip:${label.slice('anonymous:'.length)}`;
  return `token:${label}`;
}
