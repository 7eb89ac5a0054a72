import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type StartedFakeGitHub } from '../../../src/github/index.ts';
import { compose, type Middleware } from '../../../src/github/pipeline.ts';
import { MemorySink, rawPath, removeDir, tempDir } from './helpers.ts';

const ci = 'ghp_pipelineci00000000000000000000000000';
const other = 'ghp_pipelineother000000000000000000000000';
const as = (token: string) => ({ authorization: `token ${token}` });

describe('request pipeline order: accounting → identify → git challenge → faults → credentials → rate limits → latency → handler', () => {
  let gh: StartedFakeGitHub;
  let work: string;
  const sink = new MemorySink();

  beforeAll(async () => {
    work = await tempDir();
    gh = await startFakeGitHub({ storageRoot: join(work, 's'), tokens: [{ name: 'ci', token: ci }, { name: 'other', token: other }] }, { sink });
    await gh.createRepo('acme', 'app');
  });

  afterEach(() => {
    gh.admin.clearFaults();
    gh.admin.resetQuota();
  });

  afterAll(async () => {
    await gh?.stop();
    await removeDir(work);
  });

  const lastRecord = () => gh.requests().at(-1)!;

  it('answers an outage before the rate limiter, charging no quota, as GitHub\'s edge does', async () => {
    gh.admin.addFault({ type: 'outage', match: { route: 'rest.repo' }, status: 503 });
    gh.admin.setRemaining(0, 'ci');
    // Even a caller with no quota left sees the outage, not a rate limit.
    const down = await fetch(`${gh.url}/repos/acme/app`, { headers: as(ci) });
    expect(down.status).toBe(503);
    expect(lastRecord()).toMatchObject({ identity: 'ci', route: 'rest.repo', status: 503 });
    // A caller with quota left is not charged for a request the outage refused.
    const before = gh.quota('other').used;
    const faulted = await fetch(`${gh.url}/repos/acme/app`, { headers: as(other) });
    expect(faulted.status).toBe(503);
    expect(gh.quota('other').used).toBe(before);
    // Once the outage is over, the exhausted caller meets the rate limiter's 403.
    gh.admin.clearFaults();
    const limited = await fetch(`${gh.url}/repos/acme/app`, { headers: as(ci) });
    expect(limited.status).toBe(403);
    expect(((await limited.json()) as { message: string }).message).toMatch(/^API rate limit exceeded for user ID ci\./);
    expect(lastRecord()).toMatchObject({ identity: 'ci', route: 'rest.repo', status: 403, limited: 'primary' });
  });

  it('refuses an exhausted quota before a latency fault makes it wait', async () => {
    gh.admin.addFault({ type: 'latency', match: { route: 'rest.repo' }, fixed: '2s' });
    gh.admin.setRemaining(0, 'ci');
    const started = performance.now();
    expect((await fetch(`${gh.url}/repos/acme/app`, { headers: as(ci) })).status).toBe(403);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('attributes a request refused by an injected fault to the identity that sent it', async () => {
    gh.admin.addFault({ type: 'error', match: { route: 'rest.repo', repo: 'acme/app' }, rate: 1, status: 502 });
    expect((await fetch(`${gh.url}/repos/acme/app`, { headers: as(ci) })).status).toBe(502);
    expect(lastRecord()).toMatchObject({ identity: 'ci', repo: 'acme/app', route: 'rest.repo', status: 502 });
    const sample = sink.samples.filter((s) => s.kind === 'github' && s.name === 'request').at(-1)!;
    expect(sample.labels).toEqual({ identity: 'ci', repo: 'acme/app', route: 'rest.repo', method: 'GET', status: '502' });
    expect((await fetch(`${gh.url}/repos/acme/app`)).status).toBe(502);
    expect(lastRecord()).toMatchObject({ identity: 'anonymous:127.0.0.1', status: 502 });
  });

  it('attributes a connection reset by a fault to the identity that sent it', async () => {
    gh.admin.addFault({ type: 'reset', match: { route: 'rest.repo' } });
    await expect(fetch(`${gh.url}/repos/acme/app`, { headers: as(other) })).rejects.toThrow();
    await expect.poll(() => gh.requests().filter((r) => r.route === 'rest.repo' && r.status === 0).at(-1)?.identity).toBe('other');
  });

  it('checks credentials after faults: an outage answers 503 to unknown credentials too, a healthy host 401, both as anonymous', async () => {
    const unknown = as('ghp_unknown000000000000000000000000000');
    gh.admin.addFault({ type: 'outage' });
    expect((await fetch(`${gh.url}/repos/acme/app`, { headers: unknown })).status).toBe(503);
    expect(lastRecord()).toMatchObject({ identity: 'anonymous:127.0.0.1', route: 'rest.repo', status: 503 });
    gh.admin.clearFaults();
    const res = await fetch(`${gh.url}/repos/acme/app`, { headers: unknown });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    expect(lastRecord()).toMatchObject({ identity: 'anonymous:127.0.0.1', route: 'rest.repo', status: 401 });
  });

  it('counts unrouted targets, and keeps the admin API out of the chain (not counted, limited or faulted)', async () => {
    gh.admin.addFault({ type: 'outage' });
    gh.admin.setRemaining(0);
    const count = gh.requests().length;
    const health = await fetch(`${gh.adminUrl}/_fluxbench/health`, { headers: { authorization: `Bearer ${gh.adminSecret}` } });
    expect(health.status).toBe(200);
    expect(health.headers.get('x-ratelimit-limit')).toBeNull();
    expect(gh.requests()).toHaveLength(count);
    expect((await rawPath(gh.port, 'GET', '/acme/%2e%2e/info/refs')).status).toBe(400);
    await expect.poll(() => gh.requests().length).toBe(count + 1);
    expect(lastRecord()).toMatchObject({ identity: 'anonymous:127.0.0.1', route: 'invalid', status: 400 });
    // On the main port /_fluxbench/ is just an unrouted target: 404, counted like one.
    expect((await rawPath(gh.port, 'GET', '/_fluxbench/health')).status).toBe(404);
    await expect.poll(() => gh.requests().length).toBe(count + 2);
    expect(lastRecord()).toMatchObject({ identity: 'anonymous:127.0.0.1', route: 'invalid', status: 404 });
  });
});

describe('compose', () => {
  it('runs middleware outermost first, then the handler, then unwinds', async () => {
    const seen: string[] = [];
    const stage = (name: string): Middleware<string[]> => async (log, next) => {
      log.push(`${name}>`);
      await next();
      log.push(`<${name}`);
    };
    await compose([stage('a'), stage('b')], async (log) => void log.push('handler'))(seen);
    expect(seen).toEqual(['a>', 'b>', 'handler', '<b', '<a']);
  });

  it('stops at a middleware that answers without calling next', async () => {
    const seen: string[] = [];
    const refuse: Middleware<string[]> = async (log) => void log.push('refused');
    await compose([refuse], async (log) => void log.push('handler'))(seen);
    expect(seen).toEqual(['refused']);
  });

  it('rejects a middleware that calls next twice', async () => {
    const twice: Middleware<string[]> = async (_log, next) => {
      await next();
      await next();
    };
    await expect(compose([twice], async () => undefined)([])).rejects.toThrow(/more than once/);
  });
});
