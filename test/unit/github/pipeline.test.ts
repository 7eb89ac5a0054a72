import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type StartedFakeGitHub } from '../../../src/github/index.ts';
import { compose, type Middleware } from '../../../src/github/pipeline.ts';
import { MemorySink, rawPath, removeDir, tempDir } from './helpers.ts';

const ci = 'ghp_pipelineci00000000000000000000000000';
const other = 'ghp_pipelineother000000000000000000000000';
const as = (token: string) => ({ authorization: `token ${token}` });

describe('request pipeline order: accounting → auth → rate limits → faults → handler', () => {
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

  it('refuses an exhausted quota with the rate limiter\'s 403 before an outage applies', async () => {
    gh.admin.addFault({ type: 'outage', match: { route: 'rest.repo' }, status: 503 });
    gh.admin.setRemaining(0, 'ci');
    const limited = await fetch(`${gh.url}/repos/acme/app`, { headers: as(ci) });
    expect(limited.status).toBe(403);
    expect(((await limited.json()) as { message: string }).message).toMatch(/^API rate limit exceeded for user ID ci\./);
    expect(lastRecord()).toMatchObject({ identity: 'ci', route: 'rest.repo', status: 403, limited: 'primary' });
    // A caller with quota left reaches the fault, and is charged for it like any other request.
    const before = gh.quota('other').used;
    const faulted = await fetch(`${gh.url}/repos/acme/app`, { headers: as(other) });
    expect(faulted.status).toBe(503);
    expect(faulted.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(Number(faulted.headers.get('x-ratelimit-used'))).toBe(before + 1);
    expect(gh.quota('other').used).toBe(before + 1);
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

  it('authenticates before faults: unknown credentials get 401 during an outage, counted as anonymous', async () => {
    gh.admin.addFault({ type: 'outage' });
    const res = await fetch(`${gh.url}/repos/acme/app`, { headers: as('ghp_unknown000000000000000000000000000') });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    expect(lastRecord()).toMatchObject({ identity: 'anonymous:127.0.0.1', route: 'rest.repo', status: 401 });
    expect((await fetch(`${gh.url}/repos/acme/app`, { headers: as(ci) })).status).toBe(503);
  });

  it('counts unrouted targets, and keeps the admin API out of the chain (not counted, limited or faulted)', async () => {
    gh.admin.addFault({ type: 'outage' });
    gh.admin.setRemaining(0);
    const count = gh.requests().length;
    const health = await fetch(`${gh.url}/_fluxbench/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get('x-ratelimit-limit')).toBeNull();
    expect(gh.requests()).toHaveLength(count);
    expect((await rawPath(gh.port, 'GET', '/acme/%2e%2e/info/refs')).status).toBe(400);
    await expect.poll(() => gh.requests().length).toBe(count + 1);
    expect(lastRecord()).toMatchObject({ identity: 'anonymous:127.0.0.1', route: 'invalid', status: 400 });
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
