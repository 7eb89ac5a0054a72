import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type RequestRecord, type StartedFakeGitHub } from '../../../src/github/index.ts';
import { analyzeSamples, measurementSections } from '../../../src/measurements/index.ts';
import { buildSummary, renderMarkdown } from '../../../src/report/index.ts';
import { syntheticRunMeta } from '../report/synthetic-run.ts';
import { git, gitOk, makeWorkRepo, MemorySink, removeDir, tempDir, withToken } from './helpers.ts';

const ci = 'ghp_accountingci0000000000000000000000000';
const anonymous = 'anonymous:127.0.0.1';

/** The records of requests made since `from` records, once every response has closed. */
async function recordsSince(gh: StartedFakeGitHub, from: number, count: number): Promise<RequestRecord[]> {
  await expect.poll(() => gh.requests().length).toBeGreaterThanOrEqual(from + count);
  return gh.requests().slice(from);
}

describe('a git request refused by a fault is counted for the token that sent it', () => {
  let gh: StartedFakeGitHub;
  let work: string;
  const sink = new MemorySink();

  beforeAll(async () => {
    work = await tempDir();
    // Anonymous reads off: git must be challenged before it sends its token, as for a private repository.
    gh = await startFakeGitHub({ storageRoot: join(work, 's'), anonymousRead: false, tokens: [{ name: 'ci', token: ci }] }, { sink });
    await gh.createRepo('acme', 'app');
    await makeWorkRepo(join(work, 'src'), 1);
    await gitOk(['push', '-q', withToken(`${gh.url}/acme/app.git`, ci), 'main'], join(work, 'src'));
  });

  afterEach(() => {
    gh.admin.clearFaults();
  });

  afterAll(async () => {
    await gh?.stop();
    await removeDir(work);
  });

  it('challenges the credential-less first request, then refuses the retry as ci, charging neither quota', async () => {
    gh.admin.addFault({ type: 'error', match: { route: 'git.*', repo: 'acme/app' }, rate: 1, status: 502 });
    const used = { ci: gh.quota('ci').used, anonymous: gh.quota(anonymous).used };
    const from = gh.requests().length;
    const ls = await git(['ls-remote', withToken(`${gh.url}/acme/app.git`, ci)], work);
    expect(ls.code).not.toBe(0);
    expect(ls.stderr).toMatch(/502/);
    const records = await recordsSince(gh, from, 2);
    expect(records.map((r) => [r.identity, r.route, r.status])).toEqual([
      [anonymous, 'git.info-refs', 401],
      ['ci', 'git.info-refs', 502],
    ]);
    // GitHub's edge refuses a request before its API charges it: a fault costs no quota.
    expect(gh.quota('ci').used).toBe(used.ci);
    expect(gh.quota(anonymous).used).toBe(used.anonymous);
    const faulted = sink.samples.filter((s) => s.kind === 'github' && s.name === 'request' && s.labels?.status === '502');
    expect(faulted.map((s) => s.labels?.identity)).toEqual(['ci']);
    expect(JSON.stringify(sink.samples)).not.toContain(ci);
  });

  it('counts a push whose connection a fault resets for the token too', async () => {
    gh.admin.addFault({ type: 'reset', match: { route: 'git.*' } });
    const from = gh.requests().length;
    const push = await git(['push', '-q', withToken(`${gh.url}/acme/app.git`, ci), 'main'], join(work, 'src'));
    expect(push.code).not.toBe(0);
    const records = await recordsSince(gh, from, 2);
    expect(records[0]).toMatchObject({ identity: anonymous, status: 401 });
    const reset = records.filter((r) => r.status === 0);
    expect(reset.length).toBeGreaterThan(0);
    expect(reset.every((r) => r.identity === 'ci' && r.repo === 'acme/app')).toBe(true);
  });

  it('leaves unknown credentials to the credential check after the faults: an outage answers them 503, as anonymous', async () => {
    gh.admin.addFault({ type: 'outage' });
    const from = gh.requests().length;
    const ls = await git(['ls-remote', withToken(`${gh.url}/acme/app.git`, 'ghp_unknown00000000000000000000000000000')], work);
    expect(ls.stderr).toMatch(/503/);
    const records = await recordsSince(gh, from, 2);
    expect(records.at(-1)).toMatchObject({ identity: anonymous, status: 503 });
  });
});

describe('requests counted per repository', () => {
  let gh: StartedFakeGitHub;
  let work: string;
  const sink = new MemorySink();
  const rest = (path: string) => fetch(`${gh.url}${path}`, { headers: { authorization: `token ${ci}` } });

  beforeAll(async () => {
    work = await tempDir();
    gh = await startFakeGitHub({ storageRoot: join(work, 's'), tokens: [{ name: 'ci', token: ci }] }, { sink });
    await gh.createRepo('acme', 'app');
    await gh.createRepo('acme', 'lib');
    await makeWorkRepo(join(work, 'src'), 1);
    for (const repo of ['app', 'lib']) await gitOk(['push', '-q', withToken(`${gh.url}/acme/${repo}.git`, ci), 'main'], join(work, 'src'));
    await gitOk(['clone', '-q', withToken(`${gh.url}/acme/app.git`, ci), join(work, 'app')], work);
    expect((await rest('/repos/acme/app')).status).toBe(200);
    expect((await rest('/repos/acme/lib')).status).toBe(200);
    expect((await rest('/repos/acme/lib/commits/main')).status).toBe(200);
    // An endpoint the fake does not serve still names its repository.
    expect((await rest('/repos/acme/lib/pulls')).status).toBe(404);
    expect((await rest('/rate_limit')).status).toBe(200);
  });

  afterAll(async () => {
    await gh?.stop();
    await removeDir(work);
  });

  it('keeps counters per owner/repo for git and REST routes, leaving out routes that name none', async () => {
    await expect.poll(() => gh.requestCounts().total).toBe(gh.requests().length);
    const counts = gh.requestCounts();
    const records = gh.requests();
    for (const repo of ['acme/app', 'acme/lib']) {
      const mine = records.filter((r) => r.repo === repo);
      expect(counts.byRepo[repo]).toMatchObject({
        requests: mine.length,
        git: mine.filter((r) => r.category === 'git').length,
        bytesOut: mine.reduce((n, r) => n + r.bytesOut, 0),
      });
    }
    expect(counts.byRepo['acme/app']).toMatchObject({ rest: 1, clientErrors: 1, failed: 0 });
    expect(counts.byRepo['acme/lib']).toMatchObject({ rest: 3, clientErrors: 2, failed: 0 });
    // The clone is app's alone: more git requests there than lib's push.
    expect(counts.byRepo['acme/app']!.git).toBeGreaterThan(counts.byRepo['acme/lib']!.git);
    expect(Object.keys(counts.byRepo).sort()).toEqual(['acme/app', 'acme/lib']);
  });

  it('finds the same counts in the samples, and the report shows them busiest first', async () => {
    const counts = gh.requestCounts();
    const byRepo = analyzeSamples(sink.samples).github.requestsByRepo!;
    for (const repo of ['acme/app', 'acme/lib']) expect(byRepo[repo]).toEqual(counts.byRepo[repo]);
    expect(byRepo['']).toMatchObject({ requests: 1, rest: 1 });

    const table = measurementSections().find((s) => s.id === 'github-repositories')!.table({ github: { requestsByRepo: byRepo } });
    expect(table.rows.map((r) => r[0])).toEqual(['acme/app', 'acme/lib', '(no repository: API root, rate_limit, App routes)']);
    expect(table.rows[1]!.slice(1, 4)).toEqual([String(byRepo['acme/lib']!.requests), String(byRepo['acme/lib']!.git), '3']);

    const md = renderMarkdown(buildSummary(sink.samples, syntheticRunMeta()));
    const heading = md.indexOf('## Requests to the fake GitHub per repository (top 20)');
    expect(heading).toBeGreaterThanOrEqual(0);
    const lines = md.slice(heading).split('\n');
    expect(lines[2]).toMatch(/^\| Repository \| Requests \| git \| REST \| Pages \|/);
    expect(lines[4]).toMatch(new RegExp(`^\\| acme/app \\| ${byRepo['acme/app']!.requests} \\|`));
  });
});
