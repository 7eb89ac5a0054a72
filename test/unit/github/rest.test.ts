import { generateKeyPairSync, sign } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type StartedFakeGitHub } from '../../../src/github/index.ts';
import { gitOk, makeWorkRepo, removeDir, tempDir, withToken } from './helpers.ts';

const token = 'ghp_rest00000000000000000000000000000000';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function appJwt(appId: number, key = privateKey): string {
  const now = Math.floor(Date.now() / 1000);
  const head = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(JSON.stringify({ iat: now - 30, exp: now + 540, iss: appId })).toString('base64url');
  return `${head}.${body}.${sign('sha256', Buffer.from(`${head}.${body}`), key).toString('base64url')}`;
}

describe('REST subset in GitHub shapes', () => {
  let gh: StartedFakeGitHub;
  let work: string;
  let shas: string[];
  const auth = { authorization: `token ${token}` };

  beforeAll(async () => {
    work = await tempDir();
    gh = await startFakeGitHub({
      storageRoot: join(work, 'storage'),
      tokens: [{ name: 'notifier', token }],
      app: { id: 4242, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), installations: [{ id: 99 }] },
    });
    await gh.createRepo('acme', 'app');
    await gh.createRepo('acme', 'private-app', { private: true });
    shas = await makeWorkRepo(join(work, 'src'), 2);
    await gitOk(['push', '-q', withToken(`${gh.url}/acme/app.git`, token), 'main'], join(work, 'src'));
    await gitOk(['push', '-q', withToken(`${gh.url}/acme/private-app.git`, token), 'main'], join(work, 'src'));
  });

  afterAll(async () => {
    await gh?.stop();
    await removeDir(work);
  });

  it('GET /rate_limit reports core and does not count itself', async () => {
    const first = await (await fetch(`${gh.url}/rate_limit`, { headers: auth })).json();
    const second = await fetch(`${gh.url}/rate_limit`, { headers: auth });
    const body = (await second.json()) as { resources: { core: { limit: number; used: number; remaining: number; reset: number } }; rate: unknown };
    expect(body.resources.core).toEqual((first as typeof body).resources.core);
    expect(body.resources.core.limit).toBe(5000);
    expect(body.rate).toEqual(body.resources.core);
    expect(second.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(second.headers.get('x-ratelimit-resource')).toBe('core');
  });

  it('GET /repos/{owner}/{repo} (also under /api/v3), counting against the quota', async () => {
    const res = await fetch(`${gh.url}/api/v3/repos/acme/app`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const repo = (await res.json()) as Record<string, unknown>;
    expect(repo).toMatchObject({ name: 'app', full_name: 'acme/app', private: false, default_branch: 'main', visibility: 'public', owner: { login: 'acme' }, permissions: { push: true, pull: true } });
    expect(typeof repo.id).toBe('number');
    const remaining = Number(res.headers.get('x-ratelimit-remaining'));
    const again = await fetch(`${gh.url}/repos/acme/app`, { headers: auth });
    expect(Number(again.headers.get('x-ratelimit-remaining'))).toBe(remaining - 1);
    expect(Number(again.headers.get('x-ratelimit-used'))).toBe(5000 - remaining + 1);
  });

  it('hides private repos from anonymous REST callers with 404', async () => {
    const res = await fetch(`${gh.url}/repos/acme/private-app`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    expect((await fetch(`${gh.url}/repos/acme/private-app`, { headers: auth })).status).toBe(200);
  });

  it('GET /repos/{owner}/{repo}/commits/{ref} by branch and sha; 422 for unknown', async () => {
    const byBranch = (await (await fetch(`${gh.url}/repos/acme/app/commits/main`, { headers: auth })).json()) as Record<string, any>;
    expect(byBranch.sha).toBe(shas[1]);
    expect(byBranch.parents).toEqual([expect.objectContaining({ sha: shas[0] })]);
    expect(byBranch.commit).toMatchObject({ message: 'commit 1', author: { name: 'Bench', email: 'bench@example.com' } });
    const bySha = (await (await fetch(`${gh.url}/repos/acme/app/commits/${shas[0]}`, { headers: auth })).json()) as Record<string, any>;
    expect(bySha.sha).toBe(shas[0]);
    const unknown = await fetch(`${gh.url}/repos/acme/app/commits/deadbeef`, { headers: auth });
    expect(unknown.status).toBe(422);
  });

  it('creates and lists commit statuses the way notification-controller uses them', async () => {
    const post = (body: unknown, headers: Record<string, string> = auth) =>
      fetch(`${gh.url}/api/v3/repos/acme/app/statuses/${shas[1]}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ state: 'success' }, {})).status).toBe(401);
    expect((await post({ state: 'green' })).status).toBe(422);
    const created = await post({ state: 'pending', context: 'kustomization/app', description: 'reconciling' });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ state: 'pending', context: 'kustomization/app', description: 'reconciling', creator: { login: 'notifier' } });
    await post({ state: 'success', context: 'kustomization/app', description: 'applied' });
    await post({ state: 'failure', context: 'kustomization/infra', description: 'failed' });
    const list = (await (await fetch(`${gh.url}/api/v3/repos/acme/app/commits/${shas[1]}/statuses?per_page=50`, { headers: auth })).json()) as Array<Record<string, unknown>>;
    expect(list.map((s) => `${s.context}=${s.state}`)).toEqual(['kustomization/infra=failure', 'kustomization/app=success', 'kustomization/app=pending']);
    const combined = (await (await fetch(`${gh.url}/repos/acme/app/commits/main/status`, { headers: auth })).json()) as Record<string, any>;
    expect(combined).toMatchObject({ state: 'failure', sha: shas[1], total_count: 2 });
    const page2 = (await (await fetch(`${gh.url}/repos/acme/app/commits/${shas[1]}/statuses?per_page=2&page=2`, { headers: auth })).json()) as unknown[];
    expect(page2).toHaveLength(1);
  });

  it('answers unknown routes with GitHub 404 JSON and bad JSON with 400', async () => {
    const res = await fetch(`${gh.url}/gists/123`, { headers: auth });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    const bad = await fetch(`${gh.url}/repos/acme/app/statuses/${shas[1]}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{nope' });
    expect(bad.status).toBe(400);
  });

  it('issues installation tokens for an App JWT, which then clone private repos', async () => {
    const noJwt = await fetch(`${gh.url}/app/installations/99/access_tokens`, { method: 'POST', headers: auth });
    expect(noJwt.status).toBe(401);
    const forged = await fetch(`${gh.url}/app/installations/99/access_tokens`, { method: 'POST', headers: { authorization: `Bearer ${appJwt(4242, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey)}` } });
    expect(forged.status).toBe(401);
    const wrongApp = await fetch(`${gh.url}/app/installations/99/access_tokens`, { method: 'POST', headers: { authorization: `Bearer ${appJwt(1)}` } });
    expect(wrongApp.status).toBe(401);
    const unknownInstallation = await fetch(`${gh.url}/app/installations/5/access_tokens`, { method: 'POST', headers: { authorization: `Bearer ${appJwt(4242)}` } });
    expect(unknownInstallation.status).toBe(404);
    const lookup = await fetch(`${gh.url}/repos/acme/private-app/installation`, { headers: { authorization: `Bearer ${appJwt(4242)}` } });
    expect(await lookup.json()).toMatchObject({ id: 99, app_id: 4242, access_tokens_url: `${gh.url}/app/installations/99/access_tokens` });
    const res = await fetch(`${gh.url}/api/v3/app/installations/99/access_tokens`, { method: 'POST', headers: { authorization: `Bearer ${appJwt(4242)}`, accept: 'application/vnd.github.v3+json' } });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { token: string; expires_at: string };
    expect(body.token).toMatch(/^ghs_/);
    expect(Date.parse(body.expires_at) - Date.now()).toBeGreaterThan(3_500_000);
    const out = await gitOk(['ls-remote', withToken(`${gh.url}/acme/private-app.git`, body.token)], work);
    expect(out).toContain(shas[1]);
    const inst = gh.requests().filter((r) => r.identity === 'installation:99');
    expect(inst.length).toBeGreaterThan(0);
    const repoRes = await fetch(`${gh.url}/repos/acme/private-app`, { headers: { authorization: `token ${body.token}` } });
    expect(repoRes.headers.get('x-ratelimit-limit')).toBe('5000');
  });
});
