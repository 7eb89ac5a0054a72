import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCredentials, TokenRegistry, verifyAppJwt } from '../../../src/github/auth.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function makeJwt(privateKey: ReturnType<typeof generateKeyPairSync>['privateKey'], payload: Record<string, unknown>, alg = 'RS256'): string {
  const head = Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = sign('sha256', Buffer.from(`${head}.${body}`), privateKey).toString('base64url');
  return `${head}.${body}.${signature}`;
}

describe('parseCredentials', () => {
  it('accepts every form GitHub accepts', () => {
    expect(parseCredentials(`Basic ${b64('x-access-token:ghp_abc')}`)).toEqual({ scheme: 'token', token: 'ghp_abc' });
    expect(parseCredentials(`Basic ${b64('someone:ghp_abc')}`)).toEqual({ scheme: 'token', token: 'ghp_abc' });
    expect(parseCredentials(`Basic ${b64('ghp_abc:')}`)).toEqual({ scheme: 'token', token: 'ghp_abc' });
    expect(parseCredentials('Bearer ghp_abc')).toEqual({ scheme: 'bearer', token: 'ghp_abc' });
    expect(parseCredentials('token ghp_abc')).toEqual({ scheme: 'token', token: 'ghp_abc' });
    expect(parseCredentials(undefined)).toEqual({ scheme: 'none' });
  });

  it('flags malformed headers', () => {
    expect(parseCredentials('Basic')).toEqual({ scheme: 'malformed' });
    expect(parseCredentials(`Basic ${b64('nocolon')}`)).toEqual({ scheme: 'malformed' });
    expect(parseCredentials('Digest abc')).toEqual({ scheme: 'malformed' });
  });
});

describe('TokenRegistry', () => {
  it('issues, looks up, expires and revokes tokens', () => {
    const registry = new TokenRegistry();
    const pat = registry.issue({ name: 'ci', permission: 'write' });
    expect(pat.token).toMatch(/^ghp_[A-Za-z0-9]{36}$/);
    expect(registry.lookup(pat.token, 0)?.name).toBe('ci');
    const inst = registry.issueInstallationToken(7, 1000);
    expect(inst.token).toMatch(/^ghs_/);
    expect(registry.lookup(inst.token, 999)?.installationId).toBe(7);
    expect(registry.lookup(inst.token, 1000)).toBeUndefined();
    expect(registry.revoke('ci')).toBe(true);
    expect(registry.lookup(pat.token, 0)).toBeUndefined();
  });
});

describe('verifyAppJwt', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const now = 1_700_000_000_000;
  const nowSec = now / 1000;

  it('accepts a well-formed RS256 JWT from the configured app, as ghinstallation makes it', () => {
    const jwt = makeJwt(privateKey, { iat: nowSec - 30, exp: nowSec + 600, iss: 42 });
    expect(verifyAppJwt(jwt, { appId: '42', publicKeyPem: pem, nowMs: now })).toEqual({ ok: true, appId: '42' });
    expect(verifyAppJwt(jwt, { appId: '42', nowMs: now }).ok).toBe(true);
  });

  it('refuses a wrong issuer, expired or far-future tokens, other algorithms and bad signatures', () => {
    expect(verifyAppJwt(makeJwt(privateKey, { iat: nowSec, exp: nowSec + 600, iss: 7 }), { appId: '42', nowMs: now }).ok).toBe(false);
    expect(verifyAppJwt(makeJwt(privateKey, { iat: nowSec - 900, exp: nowSec - 1, iss: 42 }), { appId: '42', nowMs: now }).ok).toBe(false);
    expect(verifyAppJwt(makeJwt(privateKey, { iat: nowSec, exp: nowSec + 3600, iss: 42 }), { appId: '42', nowMs: now }).ok).toBe(false);
    expect(verifyAppJwt(makeJwt(privateKey, { iat: nowSec, exp: nowSec + 600, iss: 42 }, 'HS256'), { appId: '42', nowMs: now }).ok).toBe(false);
    const forged = makeJwt(other.privateKey, { iat: nowSec, exp: nowSec + 600, iss: 42 });
    expect(verifyAppJwt(forged, { appId: '42', publicKeyPem: pem, nowMs: now }).ok).toBe(false);
    expect(verifyAppJwt('not.a-jwt', { appId: '42', nowMs: now }).ok).toBe(false);
  });
});
