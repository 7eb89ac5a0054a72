import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type StartedFakeGitHub } from '../../../src/github/index.ts';
import { git, gitOk, makeWorkRepo, removeDir, tempDir, withToken } from './helpers.ts';

const token = 'ghp_writer0000000000000000000000000000';
const readToken = 'ghp_reader0000000000000000000000000000';
const scopedToken = 'ghp_scoped0000000000000000000000000000';

describe('git smart-HTTP against real git', () => {
  let gh: StartedFakeGitHub;
  let work: string;
  let shas: string[];

  beforeAll(async () => {
    work = await tempDir();
    gh = await startFakeGitHub({
      storageRoot: join(work, 'storage'),
      tokens: [
        { name: 'writer', token },
        { name: 'reader', token: readToken, permission: 'read' },
        { name: 'scoped', token: scopedToken, repos: ['acme/public-*'] },
      ],
    });
    await gh.createRepo('acme', 'public-app');
    await gh.createRepo('acme', 'secret', { private: true });
    shas = await makeWorkRepo(join(work, 'src'), 3);
    await gitOk(['push', '-q', withToken(`${gh.url}/acme/public-app.git`, token), 'main'], join(work, 'src'));
    await gitOk(['push', '-q', withToken(`${gh.url}/acme/secret.git`, token), 'main'], join(work, 'src'));
  });

  afterAll(async () => {
    await gh?.stop();
    await removeDir(work);
  });

  it('pushes into the bare repo at <storageRoot>/<owner>/<repo>.git', async () => {
    const head = (await gitOk(['--git-dir', gh.repoPath('acme', 'public-app'), 'rev-parse', 'refs/heads/main'], work)).trim();
    expect(head).toBe(shas[2]);
    expect(gh.repoPath('acme', 'public-app')).toBe(join(gh.storageRoot, 'acme', 'public-app.git'));
  });

  for (const version of ['0', '2']) {
    it(`clones, shallow-clones and fetches anonymously with protocol v${version}`, async () => {
      const dir = join(work, `clone-v${version}`);
      await gitOk(['-c', `protocol.version=${version}`, 'clone', '-q', `${gh.url}/acme/public-app.git`, dir], work);
      const upstream = (await gitOk(['--git-dir', gh.repoPath('acme', 'public-app'), 'rev-parse', 'main'], work)).trim();
      expect((await gitOk(['rev-parse', 'HEAD'], dir)).trim()).toBe(upstream);
      const shallow = join(work, `shallow-v${version}`);
      await gitOk(['-c', `protocol.version=${version}`, 'clone', '-q', '--depth', '1', `${gh.url}/acme/public-app`, shallow], work);
      expect((await gitOk(['rev-list', '--count', 'HEAD'], shallow)).trim()).toBe('1');
      expect((await gitOk(['rev-parse', 'HEAD'], shallow)).trim()).toBe(upstream);
      // A new commit upstream, then fetch it (and deepen the shallow clone).
      const next = join(work, `next-v${version}`);
      await gitOk(['clone', '-q', withToken(`${gh.url}/acme/public-app.git`, token), next], work);
      await writeFile(join(next, `v${version}.txt`), 'x');
      await gitOk(['add', '.'], next);
      await gitOk(['-c', 'user.name=B', '-c', 'user.email=b@e', 'commit', '-q', '-m', `v${version}`], next);
      await gitOk(['push', '-q', 'origin', 'main'], next);
      const newHead = (await gitOk(['rev-parse', 'HEAD'], next)).trim();
      await gitOk(['-c', `protocol.version=${version}`, 'fetch', '-q', 'origin'], dir);
      expect((await gitOk(['rev-parse', 'origin/main'], dir)).trim()).toBe(newHead);
      await gitOk(['-c', `protocol.version=${version}`, 'fetch', '-q', '--deepen', '2', 'origin'], shallow);
      expect(Number((await gitOk(['rev-list', '--count', 'origin/main'], shallow)).trim())).toBeGreaterThanOrEqual(3);
    });
  }

  it('records protocol v2 requests with the Git-Protocol header passed through', async () => {
    const before = gh.requests().length;
    await gitOk(['-c', 'protocol.version=2', 'ls-remote', `${gh.url}/acme/public-app.git`], work);
    const mine = gh.requests().slice(before);
    // v2 ls-remote is an info/refs capability advertisement plus one ls-refs command POST.
    expect(mine.map((r) => `${r.method} ${r.route} ${r.status}`)).toEqual(['GET git.info-refs 200', 'POST git.upload-pack 200']);
  });

  it('accepts tokens as basic password with any username, as username, as Bearer and as "token"', async () => {
    const url = `${gh.url}/acme/secret.git`;
    await gitOk(['ls-remote', withToken(url, token, 'someone')], work);
    await gitOk(['ls-remote', url.replace('http://', `http://${token}@`)], work);
    await gitOk(['-c', `http.extraHeader=Authorization: Bearer ${token}`, 'ls-remote', url], work);
    await gitOk(['-c', `http.extraHeader=Authorization: token ${token}`, 'ls-remote', url], work);
  });

  it('answers 401 with a challenge to anonymous clients of private repos and on pushes', async () => {
    const clone = await git(['clone', '-q', `${gh.url}/acme/secret.git`, join(work, 'anon-secret')], work);
    expect(clone.code).not.toBe(0);
    expect(clone.stderr).toMatch(/could not read Username|Authentication failed|401/);
    const push = await git(['push', '-q', `${gh.url}/acme/public-app.git`, 'main'], join(work, 'src'));
    expect(push.code).not.toBe(0);
    const res = await fetch(`${gh.url}/acme/secret.git/info/refs?service=git-upload-pack`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="GitHub"');
  });

  it('answers 401 Bad credentials in GitHub JSON for unknown tokens', async () => {
    const res = await fetch(`${gh.url}/acme/public-app.git/info/refs?service=git-upload-pack`, { headers: { authorization: 'Bearer ghp_nope_nope_nope' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    // git sends credentials only after a 401, so a wrong token shows on a private repo.
    const cloned = await git(['clone', '-q', withToken(`${gh.url}/acme/secret.git`, 'ghp_wrong_wrong_wrong'), join(work, 'bad')], work);
    expect(cloned.code).not.toBe(0);
    expect(cloned.stderr).toMatch(/Authentication failed|401/);
  });

  it('answers 404 for private repos a token cannot see and for missing repos', async () => {
    const hidden = await fetch(`${gh.url}/acme/secret.git/info/refs?service=git-upload-pack`, { headers: { authorization: `token ${scopedToken}` } });
    expect(hidden.status).toBe(404);
    const missing = await fetch(`${gh.url}/acme/nope.git/info/refs?service=git-upload-pack`, { headers: { authorization: `token ${token}` } });
    expect(missing.status).toBe(404);
    const ls = await git(['ls-remote', withToken(`${gh.url}/acme/secret.git`, scopedToken)], work);
    expect(ls.code).not.toBe(0);
    expect(ls.stderr).toMatch(/not found|404/i);
  });

  it('refuses pushes from read-only tokens with 403', async () => {
    const res = await fetch(`${gh.url}/acme/public-app.git/info/refs?service=git-receive-pack`, { headers: { authorization: `token ${readToken}` } });
    expect(res.status).toBe(403);
    const push = await git(['push', '-q', withToken(`${gh.url}/acme/public-app.git`, readToken), 'main:refs/heads/other'], join(work, 'src'));
    expect(push.code).not.toBe(0);
  });

  it('honours turning anonymous reads off at run time', async () => {
    gh.admin.setAnonymousRead(false);
    try {
      const res = await fetch(`${gh.url}/acme/public-app.git/info/refs?service=git-upload-pack`);
      expect(res.status).toBe(401);
    } finally {
      gh.admin.setAnonymousRead(true);
    }
  });
});
