import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compareExhaustion, startFakeGitHub, type StartedFakeGitHub } from '../../../src/github/index.ts';
import { git, gitOk, makeWorkRepo, MemorySink, removeDir, tempDir, withToken } from './helpers.ts';

const token = 'ghp_limited000000000000000000000000000';
const auth = { authorization: `token ${token}` };

describe('rate limits over HTTP', () => {
  let gh: StartedFakeGitHub | undefined;
  let work: string | undefined;

  afterEach(async () => {
    await gh?.stop();
    if (work) await removeDir(work);
    gh = undefined;
    work = undefined;
  });

  it('exhausts a token quota (REST and git) and recovers after the time-scaled window', async () => {
    work = await tempDir();
    // timeScale 3600: the one-hour window lasts one second.
    gh = await startFakeGitHub({ storageRoot: join(work, 's'), timeScale: 3600, tokens: [{ name: 'ci', token, limit: 4 }] });
    await gh.createRepo('acme', 'app', { private: true });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 5; i++) {
      last = await fetch(`${gh.url}/repos/acme/app`, { headers: auth });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 403]);
    expect(last!.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(last!.headers.get('x-ratelimit-limit')).toBe('4');
    expect(((await last!.json()) as { message: string }).message).toMatch(/^API rate limit exceeded for /);
    const reset = Number(last!.headers.get('x-ratelimit-reset')) * 1000;
    // The header is whole epoch seconds, rounded up.
    expect(reset - Date.now()).toBeLessThanOrEqual(2000);
    const ls = await git(['ls-remote', withToken(`${gh.url}/acme/app.git`, token)], work);
    expect(ls.code).not.toBe(0);
    expect(gh.quota('ci')).toMatchObject({ remaining: 0, limit: 4 });
    await new Promise((r) => setTimeout(r, Math.max(0, reset - Date.now()) + 1100));
    const recovered = await fetch(`${gh.url}/repos/acme/app`, { headers: auth });
    expect(recovered.status).toBe(200);
    expect(recovered.headers.get('x-ratelimit-remaining')).toBe('3');
  });

  it('limits anonymous callers per IP at the anonymous limit, and counts only the configured traffic', async () => {
    work = await tempDir();
    gh = await startFakeGitHub({ storageRoot: join(work, 's'), rateLimits: { anonymous: 2, counts: ['rest'] } });
    await gh.createRepo('acme', 'app');
    await makeWorkRepo(join(work, 'src'), 1);
    for (let i = 0; i < 3; i++) await gitOk(['ls-remote', `${gh.url}/acme/app.git`], work);
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await fetch(`${gh.url}/repos/acme/app`)).status);
    expect(codes).toEqual([200, 200, 403]);
    expect(gh.quota('anonymous:127.0.0.1')).toMatchObject({ used: 2, remaining: 0, limit: 2 });
    const updated = gh.admin.setRateLimits({ counts: ['rest', 'git'] });
    expect(updated).toMatchObject({ counts: ['rest', 'git'], anonymous: 2, window: '1h' });
    expect(() => gh!.admin.setRateLimits({ token: -1 })).toThrow(/rateLimits\.token/);
    const blocked = await fetch(`${gh.url}/acme/app.git/info/refs?service=git-upload-pack`);
    expect(blocked.status).toBe(403);
    gh.admin.resetQuota('anonymous:127.0.0.1');
    expect((await fetch(`${gh.url}/repos/acme/app`)).status).toBe(200);
  });

  it('answers 429 with Retry-After beyond the concurrency limit (secondary)', async () => {
    work = await tempDir();
    gh = await startFakeGitHub({
      storageRoot: join(work, 's'),
      tokens: [{ name: 'ci', token }],
      rateLimits: { secondary: { maxConcurrent: 2, retryAfter: '30s' } },
      faults: [{ type: 'latency', match: { route: 'rest.repo' }, fixed: '400ms' }],
    });
    await gh.createRepo('acme', 'app');
    const responses = await Promise.all(Array.from({ length: 5 }, () => fetch(`${gh!.url}/repos/acme/app`, { headers: auth })));
    const codes = responses.map((r) => r.status).sort();
    expect(codes).toEqual([200, 200, 429, 429, 429]);
    const limited = responses.find((r) => r.status === 429)!;
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(((await limited.json()) as { message: string }).message).toMatch(/secondary rate limit/);
    expect(gh.requests().filter((r) => r.limited === 'concurrency')).toHaveLength(3);
  });

  it('charges points per minute (POST = 5) and can answer secondary limits with 403', async () => {
    work = await tempDir();
    gh = await startFakeGitHub({ storageRoot: join(work, 's'), tokens: [{ name: 'ci', token }], rateLimits: { secondary: { pointsPerMinute: 11, status: 403 } } });
    await gh.createRepo('acme', 'app');
    const post = () => fetch(`${gh!.url}/repos/acme/app/dispatches`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ event_type: 'x' }) });
    expect((await post()).status).toBe(204);
    expect((await post()).status).toBe(204);
    const third = await post();
    expect(third.status).toBe(403);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await fetch(`${gh.url}/repos/acme/app`, { headers: auth })).status).toBe(200);
  });

  it('streams quota samples and predicts exhaustion close to what happens', async () => {
    work = await tempDir();
    const sink = new MemorySink();
    gh = await startFakeGitHub({ storageRoot: join(work, 's'), tokens: [{ name: 'ci', token, limit: 20 }], quotaSampleInterval: '100ms' }, { sink });
    await gh.createRepo('acme', 'app');
    for (let i = 0; i < 24; i++) {
      await fetch(`${gh.url}/repos/acme/app`, { headers: auth });
      await new Promise((r) => setTimeout(r, 15));
    }
    await new Promise((r) => setTimeout(r, 250));
    const cmp = compareExhaustion(gh.requests(), 'ci', 20);
    expect(cmp.observedMs).toBeGreaterThan(0);
    expect(cmp.ratio).toBeGreaterThan(0.85);
    expect(cmp.ratio).toBeLessThan(1.2);
    const quota = sink.samples.filter((s) => s.kind === 'github' && s.name === 'quota_remaining' && s.labels?.identity === 'ci');
    expect(quota.length).toBeGreaterThan(0);
    expect(quota[quota.length - 1]!.value).toBe(0);
    const requests = sink.samples.filter((s) => s.name === 'request' && s.labels?.identity === 'ci');
    expect(requests).toHaveLength(24);
    expect(requests.filter((s) => s.labels?.status === '403')).toHaveLength(4);
  });

  it('changes one identity\'s limit and remaining quota at run time (admin API)', async () => {
    work = await tempDir();
    gh = await startFakeGitHub({ storageRoot: join(work, 's'), tokens: [{ name: 'ci', token }, { name: 'other', token: 'ghp_other0000000000000000000000000000' }] });
    await gh.createRepo('acme', 'app');
    const put = (body: unknown) => fetch(`${gh!.adminUrl}/_fluxbench/rate-limits/identity`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${gh!.adminSecret}` }, body: JSON.stringify(body) });
    const exhausted = await put({ identity: 'ci', remaining: 0 });
    expect(await exhausted.json()).toMatchObject({ limit: 5000, remaining: 0 });
    expect((await fetch(`${gh.url}/repos/acme/app`, { headers: auth })).status).toBe(403);
    expect((await fetch(`${gh.url}/repos/acme/app`, { headers: { authorization: 'token ghp_other0000000000000000000000000000' } })).status).toBe(200);
    await put({ identity: 'ci', limit: 10, remaining: 3 });
    const ok = await fetch(`${gh.url}/repos/acme/app`, { headers: auth });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-ratelimit-limit')).toBe('10');
    expect(ok.headers.get('x-ratelimit-remaining')).toBe('2');
    gh.admin.setRemaining(0);
    expect((await fetch(`${gh.url}/repos/acme/app`, { headers: { authorization: 'token ghp_other0000000000000000000000000000' } })).status).toBe(403);
    expect((await put({ identity: 'ci', limit: -3 })).status).toBe(422);
  });
});
