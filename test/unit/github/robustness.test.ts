import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type StartedFakeGitHub } from '../../../src/github/index.ts';
import { git, gitOk, makeWorkRepo, rawHttp, rawPath, removeDir, tempDir, withToken } from './helpers.ts';

const token = 'ghp_robust00000000000000000000000000000';

function pkt(line: string): string {
  return `${(line.length + 4).toString(16).padStart(4, '0')}${line}`;
}

describe('robustness', () => {
  let gh: StartedFakeGitHub;
  let work: string;
  let head: string;

  beforeAll(async () => {
    work = await tempDir();
    gh = await startFakeGitHub({ storageRoot: join(work, 'storage'), tokens: [{ name: 'ci', token }], maxBodyBytes: '64Ki', maxJsonBodyBytes: '1Ki' });
    await gh.createRepo('acme', 'app');
    const shas = await makeWorkRepo(join(work, 'src'), 1);
    head = shas[0]!;
    await gitOk(['push', '-q', withToken(`${gh.url}/acme/app.git`, token), 'main'], join(work, 'src'));
    await mkdir(join(gh.storageRoot, 'pages', 'acme', 'charts'), { recursive: true });
    await writeFile(join(gh.storageRoot, 'pages', 'acme', 'charts', 'index.yaml'), 'apiVersion: v1\nentries: {}\n');
    await writeFile(join(work, 'outside.txt'), 'secret');
    await symlink(join(work, 'outside.txt'), join(gh.storageRoot, 'pages', 'acme', 'charts', 'link.yaml'));
  });

  afterAll(async () => {
    await gh?.stop();
    await removeDir(work);
  });

  it('answers path tricks with 4xx and touches nothing outside storageRoot', async () => {
    const before = (await readdir(work)).sort();
    const port = gh.port;
    for (const path of [
      '/acme/../../etc/info/refs?service=git-upload-pack',
      '/acme/%2e%2e%2f%2e%2e/info/refs?service=git-upload-pack',
      '/acme%2F..%2F..%2Fx/app.git/info/refs?service=git-upload-pack',
      '/acme/app.git%5c..%5c/info/refs?service=git-upload-pack',
      '/..%2f..%2fetc/passwd',
      '/pages/acme/charts/../../../outside.txt',
      '/pages/acme/charts/%2e%2e/%2e%2e/outside.txt',
      '/pages/acme/charts/link.yaml',
      `/pages/acme/charts/${'a'.repeat(300)}`,
      '/repos/acme/app/commits/-c%20core.pager=x',
      '/' + 'x'.repeat(5000),
      '/acme/app.git/info/refs?service=git-upload-archive',
      '/acme/app.git/info/refs?service=../../bin/sh',
      '/ACME-/app.git/info/refs?service=git-upload-pack',
      '/acme/app.git.git/info/refs?service=git-upload-pack',
    ]) {
      const res = await rawPath(port, 'GET', path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
    }
    const absolute = await rawHttp(port, 'GET http://127.0.0.1/acme/app.git/info/refs?service=git-upload-pack HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(absolute).toMatch(/^HTTP\/1\.1 400/);
    const garbage = await rawHttp(port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400/);
    expect((await readdir(work)).sort()).toEqual(before);
    expect(await readdir(join(gh.storageRoot))).toEqual(expect.arrayContaining(['acme', 'pages']));
    expect((await readdir(gh.storageRoot)).sort()).toEqual(['acme', 'pages']);
    // Still serving.
    expect((await fetch(`${gh.url}/pages/acme/charts/index.yaml`)).status).toBe(200);
  });

  it('refuses wrong content types, encodings and oversized bodies', async () => {
    const url = `${gh.url}/acme/app.git/git-upload-pack`;
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status).toBe(415);
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-git-upload-pack-request', 'content-encoding': 'br' }, body: 'x' })).status).toBe(415);
    const big = Buffer.alloc(100 * 1024, 0x30);
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-git-upload-pack-request' }, body: big })).status).toBe(413);
    // A small gzip body that inflates past the limit is cut off too: 413 when the limit trips
    // first, 400 when git gave up on the garbage first; never a 200.
    const bomb = gzipSync(Buffer.alloc(1024 * 1024, 0x30));
    const bombRes = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-git-upload-pack-request', 'content-encoding': 'gzip' }, body: bomb });
    expect([400, 413]).toContain(bombRes.status);
    const json = await fetch(`${gh.url}/repos/acme/app/statuses/${head}`, { method: 'POST', headers: { authorization: `token ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ state: 'success', description: 'x'.repeat(4096) }) });
    expect(json.status).toBe(413);
    const xml = await fetch(`${gh.url}/repos/acme/app/statuses/${head}`, { method: 'POST', headers: { authorization: `token ${token}`, 'content-type': 'application/xml' }, body: '<a/>' });
    expect(xml.status).toBe(415);
  });

  it('accepts gzip-encoded upload-pack request bodies', async () => {
    const body = `${pkt(`want ${head}\n`)}0000${pkt('done\n')}`;
    const plain = await fetch(`${gh.url}/acme/app.git/git-upload-pack`, { method: 'POST', headers: { 'content-type': 'application/x-git-upload-pack-request' }, body });
    const gz = await fetch(`${gh.url}/acme/app.git/git-upload-pack`, { method: 'POST', headers: { 'content-type': 'application/x-git-upload-pack-request', 'content-encoding': 'gzip' }, body: gzipSync(body) });
    expect(plain.status).toBe(200);
    expect(gz.status).toBe(200);
    expect(gz.headers.get('content-type')).toBe('application/x-git-upload-pack-result');
    const out = Buffer.from(await gz.arrayBuffer()).toString('latin1');
    expect(out.startsWith('0008NAK\n')).toBe(true);
    expect(out).toContain('PACK');
    expect(Buffer.from(await plain.arrayBuffer()).toString('latin1')).toBe(out);
  });

  it('answers 500 instead of hanging when git cannot be started', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const post = await fetch(`${gh.url}/acme/app.git/git-upload-pack`, { method: 'POST', headers: { 'content-type': 'application/x-git-upload-pack-request' }, body: '0000' });
      expect(post.status).toBe(500);
      await expect(fetch(`${gh.url}/acme/app.git/info/refs?service=git-upload-pack`).then((r) => r.arrayBuffer())).rejects.toThrow();
    } finally {
      process.env.PATH = path;
    }
    expect((await fetch(`${gh.url}/acme/app.git/info/refs?service=git-upload-pack`)).status).toBe(200);
  });

  it('keeps a repo consistent under concurrent pushes (git fsck clean)', async () => {
    const clones = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const dir = join(work, `pusher-${i}`);
        await gitOk(['clone', '-q', withToken(`${gh.url}/acme/app.git`, token), dir], work);
        await writeFile(join(dir, `file-${i}.txt`), `pusher ${i}\n`.repeat(1000));
        await gitOk(['add', '.'], dir);
        await gitOk(['-c', 'user.name=P', '-c', 'user.email=p@e', 'commit', '-q', '-m', `pusher ${i}`], dir);
        return dir;
      }),
    );
    const results = await Promise.all(
      clones.flatMap((dir, i) => [git(['push', '-q', 'origin', `HEAD:refs/heads/branch-${i}`], dir), git(['push', '-q', 'origin', 'HEAD:refs/heads/main'], dir)]),
    );
    const branchPushes = results.filter((_, i) => i % 2 === 0);
    expect(branchPushes.every((r) => r.code === 0)).toBe(true);
    const mainPushes = results.filter((_, i) => i % 2 === 1);
    expect(mainPushes.filter((r) => r.code === 0).length).toBeGreaterThanOrEqual(1);
    const bare = gh.repoPath('acme', 'app');
    const fsck = await git(['--git-dir', bare, 'fsck', '--full', '--strict'], work);
    expect(fsck.code, fsck.stderr).toBe(0);
    const refs = await gitOk(['--git-dir', bare, 'for-each-ref', '--format=%(refname)'], work);
    for (let i = 0; i < 6; i++) expect(refs).toContain(`refs/heads/branch-${i}`);
    const main = (await gitOk(['--git-dir', bare, 'rev-parse', 'main'], work)).trim();
    const branchHeads = await Promise.all(clones.map(async (dir) => (await gitOk(['rev-parse', 'HEAD'], dir)).trim()));
    expect(branchHeads).toContain(main);
  });
});
