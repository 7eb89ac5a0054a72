import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type StartedFakeGitHub } from '../../../src/github/index.ts';
import { git, gitOk, makeWorkRepo, MemorySink, removeDir, tempDir, withToken } from './helpers.ts';

const token = 'ghp_faults00000000000000000000000000000';

describe('faults at run time', () => {
  let gh: StartedFakeGitHub;
  let work: string;
  const sink = new MemorySink();

  beforeAll(async () => {
    work = await tempDir();
    gh = await startFakeGitHub({ storageRoot: join(work, 's'), tokens: [{ name: 'ci', token }] }, { sink });
    await gh.createRepo('acme', 'app');
    await gh.createRepo('acme', 'other');
    await makeWorkRepo(join(work, 'src'), 1);
    await gitOk(['push', '-q', withToken(`${gh.url}/acme/app.git`, token), 'main'], join(work, 'src'));
    await mkdir(join(gh.storageRoot, 'pages', 'acme', 'charts'), { recursive: true });
    await writeFile(join(gh.storageRoot, 'pages', 'acme', 'charts', 'big.tgz'), Buffer.alloc(200 * 1024, 7));
  });

  afterAll(async () => {
    await gh?.stop();
    await removeDir(work);
  });

  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${gh.adminUrl}/_fluxbench/${path}`, {
      method,
      headers: { authorization: `Bearer ${gh.adminSecret}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  it('injects 5xx errors per repo through the admin API, and removes them', async () => {
    const added = await admin('POST', 'faults', { type: 'error', match: { route: 'git.*', repo: 'acme/app' }, rate: 1, status: 502 });
    expect(added.status).toBe(201);
    const { id } = (await added.json()) as { id: string };
    const ls = await git(['ls-remote', `${gh.url}/acme/app.git`], work);
    expect(ls.code).not.toBe(0);
    expect(ls.stderr).toMatch(/502/);
    expect((await fetch(`${gh.url}/acme/other.git/info/refs?service=git-upload-pack`)).status).toBe(200);
    expect((await admin('DELETE', `faults/${id}`)).status).toBe(204);
    await gitOk(['ls-remote', `${gh.url}/acme/app.git`], work);
    const faultSamples = sink.samples.filter((s) => s.kind === 'fault' && s.detail?.id === id);
    expect(faultSamples.map((s) => s.name)).toEqual(['start', 'end']);
    expect(faultSamples[0]!.labels).toEqual({ fault: 'error', target: 'git.*@acme/app' });
  });

  it('refuses bad faults over the admin API with 422 naming the field', async () => {
    const res = await admin('POST', 'faults', { type: 'error', rate: 3 });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { message: string }).message).toMatch(/fault\.rate/);
  });

  it('resets connections', async () => {
    gh.admin.addFault({ type: 'reset', match: { route: 'rest.repo' } });
    try {
      await expect(fetch(`${gh.url}/repos/acme/app`)).rejects.toThrow();
      expect(gh.requests().some((r) => r.route === 'rest.repo' && r.status === 0)).toBe(true);
    } finally {
      gh.admin.clearFaults();
    }
    expect((await fetch(`${gh.url}/repos/acme/app`)).status).toBe(200);
  });

  it('fails everything during an outage window, then recovers by itself', async () => {
    gh.admin.addFault({ type: 'outage', for: '400ms' });
    expect((await fetch(`${gh.url}/repos/acme/app`)).status).toBe(503);
    expect((await fetch(`${gh.url}/pages/acme/charts/big.tgz`)).status).toBe(503);
    await new Promise((r) => setTimeout(r, 500));
    expect((await fetch(`${gh.url}/repos/acme/app`)).status).toBe(200);
    expect(gh.admin.faults()).toEqual([]);
  });

  it('adds latency to matching routes only', async () => {
    gh.admin.setFaults([{ type: 'latency', match: { route: 'rest.repo' }, fixed: '300ms', jitter: '50ms' }]);
    try {
      let t = performance.now();
      await fetch(`${gh.url}/repos/acme/app`);
      expect(performance.now() - t).toBeGreaterThanOrEqual(290);
      t = performance.now();
      await fetch(`${gh.url}/rate_limit`);
      expect(performance.now() - t).toBeLessThan(250);
    } finally {
      gh.admin.clearFaults();
    }
  });

  it('caps bandwidth of response bodies', async () => {
    let t = performance.now();
    const fast = await (await fetch(`${gh.url}/pages/acme/charts/big.tgz`)).arrayBuffer();
    const unthrottledMs = performance.now() - t;
    gh.admin.addFault({ type: 'bandwidth', match: { route: 'pages' }, bytesPerSecond: '400Ki' });
    try {
      t = performance.now();
      const slow = await (await fetch(`${gh.url}/pages/acme/charts/big.tgz`)).arrayBuffer();
      const throttledMs = performance.now() - t;
      expect(slow.byteLength).toBe(fast.byteLength);
      // 200 KiB at 400 KiB/s is 500 ms.
      expect(throttledMs).toBeGreaterThanOrEqual(450);
      expect(throttledMs).toBeGreaterThan(unthrottledMs * 2);
    } finally {
      gh.admin.clearFaults();
    }
  });
});
