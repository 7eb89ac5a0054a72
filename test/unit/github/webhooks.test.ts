import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, zeroSha, type StartedFakeGitHub } from '../../../src/github/index.ts';
import { gitOk, makeWorkRepo, MemorySink, removeDir, tempDir, withToken } from './helpers.ts';

const token = 'ghp_hooks000000000000000000000000000000';
const secret = 'receiver-secret';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, any>;
  signatureValid: boolean;
}

describe('push webhooks', () => {
  let gh: StartedFakeGitHub;
  let receiver: Server;
  let work: string;
  const received: Received[] = [];
  let failuresLeft = 0;
  const sink = new MemorySink();

  beforeAll(async () => {
    work = await tempDir();
    // A tiny Flux-Receiver stand-in: verifies X-Hub-Signature-256 like the github receiver type does.
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
        const given = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
        const signatureValid = given.length === expected.length && timingSafeEqual(given, expected);
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          res.writeHead(500).end();
          return;
        }
        received.push({ headers: req.headers, body: JSON.parse(raw.toString('utf8')) as Record<string, any>, signatureValid });
        res.writeHead(signatureValid ? 200 : 401).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as { port: number }).port;
    gh = await startFakeGitHub(
      {
        storageRoot: join(work, 's'),
        tokens: [{ name: 'pusher', token }],
        webhooks: { targets: [{ url: `http://127.0.0.1:${port}/hook/abc`, secret }], attempts: 3, backoff: '50ms' },
      },
      { sink },
    );
    await gh.createRepo('acme', 'app');
  });

  afterAll(async () => {
    await gh?.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await removeDir(work);
  });

  it('delivers a signed GitHub push event after a git push', async () => {
    const shas = await makeWorkRepo(join(work, 'src'), 2);
    await gitOk(['push', '-q', withToken(`${gh.url}/acme/app.git`, token), 'main'], join(work, 'src'));
    await gh.webhooksIdle();
    expect(received).toHaveLength(1);
    const event = received[0]!;
    expect(event.signatureValid).toBe(true);
    expect(event.headers['x-github-event']).toBe('push');
    expect(event.headers['x-github-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(event.headers['content-type']).toBe('application/json');
    expect(event.body).toMatchObject({
      ref: 'refs/heads/main',
      before: zeroSha,
      after: shas[1],
      created: true,
      deleted: false,
      repository: { full_name: 'acme/app', name: 'app', default_branch: 'main', owner: { login: 'acme' } },
      pusher: { name: 'pusher' },
    });
    expect(event.body.commits.map((c: { id: string }) => c.id)).toEqual(shas);
    expect(event.body.head_commit.id).toBe(shas[1]);
    expect(event.body.commits[0].added).toEqual(['README.md']);
    expect(event.body.commits[1].modified).toEqual(['README.md']);
  });

  it('retries a failing receiver within the bound and records the delivery', async () => {
    received.length = 0;
    failuresLeft = 1;
    await writeFile(join(work, 'src', 'more.txt'), 'more');
    await gitOk(['add', '.'], join(work, 'src'));
    await gitOk(['-c', 'user.name=B', '-c', 'user.email=b@e', 'commit', '-q', '-m', 'more'], join(work, 'src'));
    const before = (await gitOk(['rev-parse', 'HEAD~1'], join(work, 'src'))).trim();
    const after = (await gitOk(['rev-parse', 'HEAD'], join(work, 'src'))).trim();
    await gitOk(['push', '-q', withToken(`${gh.url}/acme/app.git`, token), 'main'], join(work, 'src'));
    await gh.webhooksIdle();
    expect(received).toHaveLength(1);
    expect(received[0]!.body).toMatchObject({ before, after, created: false });
    expect(received[0]!.body.commits).toHaveLength(1);
    const last = gh.deliveries().at(-1)!;
    expect(last).toMatchObject({ ok: true, status: 200, attempts: 2, event: 'push' });
    const samples = sink.samples.filter((s) => s.name === 'webhook_delivery');
    expect(samples.at(-1)).toMatchObject({ kind: 'github', labels: { status: '200' }, detail: { attempts: 2 } });
  });

  it('fires for commits written straight into the bare repo via notifyPush', async () => {
    received.length = 0;
    const bare = gh.repoPath('acme', 'app');
    const before = (await gitOk(['--git-dir', bare, 'rev-parse', 'main'], work)).trim();
    const tree = (await gitOk(['--git-dir', bare, 'rev-parse', 'main^{tree}'], work)).trim();
    const after = (
      await gitOk(['--git-dir', bare, 'commit-tree', tree, '-p', before, '-m', 'generated'], work, { GIT_AUTHOR_NAME: 'gen', GIT_AUTHOR_EMAIL: 'g@e', GIT_COMMITTER_NAME: 'gen', GIT_COMMITTER_EMAIL: 'g@e' })
    ).trim();
    await gitOk(['--git-dir', bare, 'update-ref', 'refs/heads/main', after, before], work);
    await gh.notifyPush('acme', 'app', { ref: 'refs/heads/main', before, after });
    await gh.webhooksIdle();
    expect(received).toHaveLength(1);
    expect(received[0]!.signatureValid).toBe(true);
    expect(received[0]!.body).toMatchObject({ before, after, head_commit: { id: after, message: 'generated' } });
    await expect(gh.notifyPush('acme', 'app', { ref: 'main', before, after })).rejects.toThrow(/full ref/);
    await expect(gh.notifyPush('acme', 'nope', { ref: 'refs/heads/main', before, after })).rejects.toThrow(/does not exist/);
  });

  it('gives up after the bounded attempts against a dead receiver', async () => {
    gh.admin.setWebhooks([{ url: 'http://127.0.0.1:1/hook' }]);
    try {
      const bare = gh.repoPath('acme', 'app');
      const head = (await gitOk(['--git-dir', bare, 'rev-parse', 'main'], work)).trim();
      await gh.notifyPush('acme', 'app', { ref: 'refs/heads/dead', before: zeroSha, after: head });
      await gh.webhooksIdle();
      expect(gh.deliveries().at(-1)).toMatchObject({ ok: false, status: 0, attempts: 3 });
    } finally {
      gh.admin.setWebhooks([]);
    }
    expect(() => gh.admin.setWebhooks([{ url: 'http://example.com/x' }])).toThrow(/127\.0\.0\.1/);
  });

  it('fires a repository webhook only for pushes to its repositories, and an organisation webhook for all', async () => {
    await gh.createRepo('acme', 'other');
    const port = (receiver.address() as { port: number }).port;
    gh.admin.setWebhooks([
      { url: `http://127.0.0.1:${port}/hook/app-only`, secret, repos: ['acme/app'] },
      { url: `http://127.0.0.1:${port}/hook/any-acme`, secret, repos: ['acme/*'] },
      { url: `http://127.0.0.1:${port}/hook/org`, secret },
    ]);
    try {
      received.length = 0;
      const head = (await gitOk(['--git-dir', gh.repoPath('acme', 'app'), 'rev-parse', 'main'], work)).trim();
      await gh.notifyPush('acme', 'app', { ref: 'refs/heads/hooks-a', before: zeroSha, after: head });
      await gh.webhooksIdle();
      const appDeliveries = gh.deliveries().slice(-3).map((d) => d.url).sort();
      expect(received).toHaveLength(3);
      expect(appDeliveries).toEqual([`http://127.0.0.1:${port}/hook/any-acme`, `http://127.0.0.1:${port}/hook/app-only`, `http://127.0.0.1:${port}/hook/org`]);
      received.length = 0;
      await gitOk(['push', '-q', withToken(`${gh.url}/acme/other.git`, token), 'main'], join(work, 'src'));
      await gh.webhooksIdle();
      expect(received.map((r) => r.body.repository.full_name)).toEqual(['acme/other', 'acme/other']);
      expect(gh.deliveries().slice(-2).map((d) => d.url).sort()).toEqual([`http://127.0.0.1:${port}/hook/any-acme`, `http://127.0.0.1:${port}/hook/org`]);
    } finally {
      gh.admin.setWebhooks([]);
    }
  });
});
