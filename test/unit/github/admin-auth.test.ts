import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type StartedFakeGitHub } from '../../../src/github/index.ts';
import { presentsAdminSecret } from '../../../src/github/admin-auth.ts';
import { rawPath, removeDir, tempDir } from './helpers.ts';

const requiresAuthentication = { message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest' };

describe('the admin API behind a per-run secret, on its own loopback listener', () => {
  let gh: StartedFakeGitHub;
  let work: string;

  beforeAll(async () => {
    work = await tempDir();
    gh = await startFakeGitHub({ storageRoot: join(work, 's') });
  });

  afterAll(async () => {
    await gh?.stop();
    await removeDir(work);
  });

  const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

  it('listens on 127.0.0.1 on a port of its own, with a fresh secret each start', async () => {
    expect(gh.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(gh.adminUrl).not.toBe(gh.url);
    expect(gh.adminSecret).toMatch(/^fbadmin_[A-Za-z0-9_-]{43}$/);
    const other = await startFakeGitHub({ storageRoot: join(work, 'other') });
    try {
      expect(other.adminSecret).not.toBe(gh.adminSecret);
      // The secret of one server opens no other.
      expect((await fetch(`${other.adminUrl}/_fluxbench/health`, { headers: bearer(gh.adminSecret) })).status).toBe(401);
    } finally {
      await other.stop();
    }
  });

  it('answers 401 in GitHub\'s shape without the secret, with a wrong one or another scheme', async () => {
    for (const headers of [{}, bearer('fbadmin_wrong'), bearer(`${gh.adminSecret}x`), { authorization: `token ${gh.adminSecret}` }, { authorization: `Basic ${Buffer.from(`x:${gh.adminSecret}`).toString('base64')}` }]) {
      const res = await fetch(`${gh.adminUrl}/_fluxbench/tokens`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'minted' }) });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await res.json()).toEqual(requiresAuthentication);
    }
    // Nothing was minted by the refused requests.
    expect(gh.tokens().map((t) => t.name)).not.toContain('minted');
  });

  it('serves the admin API with the secret (any case of the scheme), and nothing else', async () => {
    const minted = await fetch(`${gh.adminUrl}/_fluxbench/tokens`, { method: 'POST', headers: { ...bearer(gh.adminSecret), 'content-type': 'application/json' }, body: JSON.stringify({ name: 'minted' }) });
    expect(minted.status).toBe(201);
    expect(gh.tokens().map((t) => t.name)).toContain('minted');
    expect((await fetch(`${gh.adminUrl}/_fluxbench/health`, { headers: { authorization: `bearer ${gh.adminSecret}` } })).status).toBe(200);
    const notAdmin = await fetch(`${gh.adminUrl}/repos/acme/app`, { headers: bearer(gh.adminSecret) });
    expect(notAdmin.status).toBe(404);
    expect(await notAdmin.json()).toEqual({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  });

  it('does not serve /_fluxbench/ on the main port (the one relayed to pods), with or without the secret', async () => {
    for (const headers of [{}, bearer(gh.adminSecret)]) {
      const res = await rawPath(gh.port, 'POST', '/_fluxbench/tokens', { ...headers, 'content-type': 'application/json' }, JSON.stringify({ name: 'relayed' }));
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body)).toEqual({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    }
    expect(gh.tokens().map((t) => t.name)).not.toContain('relayed');
  });

  it('keeps the secret out of the handle\'s JSON and inspection', () => {
    expect(JSON.stringify({ ...gh, options: undefined })).not.toContain(gh.adminSecret);
    expect(Object.keys(gh)).not.toContain('adminSecret');
  });

  it('compares the secret exactly', () => {
    expect(presentsAdminSecret('Bearer abc', 'abc')).toBe(true);
    expect(presentsAdminSecret('Bearer  abc  ', 'abc')).toBe(true);
    expect(presentsAdminSecret('Bearer abcd', 'abc')).toBe(false);
    expect(presentsAdminSecret('Bearer ab', 'abc')).toBe(false);
    expect(presentsAdminSecret('Bearer', '')).toBe(false);
    expect(presentsAdminSecret(undefined, '')).toBe(false);
    expect(presentsAdminSecret('abc', 'abc')).toBe(false);
  });
});
