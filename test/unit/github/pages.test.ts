import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type StartedFakeGitHub } from '../../../src/github/index.ts';
import { removeDir, tempDir } from './helpers.ts';

describe('pages (Helm repositories)', () => {
  let gh: StartedFakeGitHub;
  let work: string;
  const chart = Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4]);

  beforeAll(async () => {
    work = await tempDir();
    gh = await startFakeGitHub({ storageRoot: join(work, 's'), rateLimits: { anonymous: 3 } });
    const dir = join(gh.storageRoot, 'pages', 'acme', 'charts');
    await mkdir(join(dir, 'sub'), { recursive: true });
    await writeFile(join(dir, 'index.yaml'), 'apiVersion: v1\nentries:\n  app: []\n');
    await writeFile(join(dir, 'app-1.0.0.tgz'), chart);
    await writeFile(join(dir, 'sub', 'index.html'), '<p>hi</p>');
  });

  afterAll(async () => {
    await gh?.stop();
    await removeDir(work);
  });

  it('serves index.yaml and chart archives, counted against the caller', async () => {
    const index = await fetch(`${gh.url}/pages/acme/charts/index.yaml`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('application/x-yaml');
    expect(await index.text()).toContain('entries:');
    const tgz = await fetch(`${gh.url}/pages/acme/charts/app-1.0.0.tgz`);
    expect(Buffer.from(await tgz.arrayBuffer())).toEqual(chart);
    expect(tgz.headers.get('x-ratelimit-remaining')).toBe('1');
    const head = await fetch(`${gh.url}/pages/acme/charts/app-1.0.0.tgz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(chart.length));
    expect(head.headers.get('x-ratelimit-remaining')).toBe('0');
    expect((await fetch(`${gh.url}/pages/acme/charts/index.yaml`)).status).toBe(403);
    expect(gh.requests().filter((r) => r.route === 'pages').map((r) => r.status)).toEqual([200, 200, 200, 403]);
    gh.admin.resetQuota();
    const dirIndex = await fetch(`${gh.url}/pages/acme/charts/sub/`);
    expect(await dirIndex.text()).toBe('<p>hi</p>');
    expect((await fetch(`${gh.url}/pages/acme/charts/missing.tgz`)).status).toBe(404);
    expect((await fetch(`${gh.url}/pages/acme/charts/index.yaml`, { method: 'DELETE' })).status).toBe(405);
  });
});
