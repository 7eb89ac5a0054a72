import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/metrics/sample.ts';
import { githubStatsSchema } from '../../../src/measurements/github.ts';
import { analyzeSamples, measurementSections } from '../../../src/measurements/index.ts';

const request = (repo: string, over: { route?: string; status?: string; limited?: string; bytesOut?: number } = {}): Sample => ({
  ts: 1,
  kind: 'github',
  name: 'request',
  value: 0.01,
  labels: { identity: 'flux', repo, route: over.route ?? 'git.upload-pack', method: 'POST', status: over.status ?? '200' },
  detail: { bytesIn: 100, bytesOut: over.bytesOut ?? 1000, ...(over.limited ? { limited: over.limited } : {}) },
});

/** `team-00` … `team-24`, team-NN getting NN + 1 requests. */
function manyRepos(): Sample[] {
  return Array.from({ length: 25 }, (_, i) => `fleet/team-${String(i).padStart(2, '0')}`).flatMap((repo, i) => Array.from({ length: i + 1 }, () => request(repo)));
}

const table = (samples: Sample[]) => measurementSections().find((s) => s.id === 'github-repositories')!.table(analyzeSamples(samples));

describe('requests per repository', () => {
  it('counts each repository by category and outcome, and the requests naming none under ""', () => {
    const byRepo = analyzeSamples([
      request('fleet/app'),
      request('fleet/app', { route: 'rest.commit', status: '403', limited: 'primary' }),
      request('fleet/app', { route: 'rest.unknown', status: '404' }),
      request('fleet/app', { route: 'git.info-refs', status: '0' }),
      request('fleet/charts', { route: 'pages', status: '503' }),
      request('fleet/charts', { route: 'hooks.generic' }),
      request('', { route: 'rest.rate_limit' }),
    ]).github.requestsByRepo!;
    expect(byRepo['fleet/app']).toEqual({ requests: 4, git: 2, rest: 2, pages: 0, hooks: 0, limited: 1, clientErrors: 1, failed: 1, bytesIn: 400, bytesOut: 4000 });
    expect(byRepo['fleet/charts']).toMatchObject({ requests: 2, pages: 1, hooks: 1, rest: 0, failed: 1 });
    expect(byRepo['']).toMatchObject({ requests: 1, rest: 1 });
    // It survives summary.json, whose schema would otherwise drop it.
    const parsed = githubStatsSchema.parse(analyzeSamples([request('fleet/app')]).github);
    expect(parsed.requestsByRepo?.['fleet/app']?.requests).toBe(1);
  });

  it('shows the 20 busiest repositories, sums the rest in one row and ends with the requests naming none', () => {
    const t = table([...manyRepos(), request('', { route: 'rest.rate_limit' })]);
    expect(t.header.slice(0, 5)).toEqual(['Repository', 'Requests', 'git', 'REST', 'Pages']);
    expect(t.rows).toHaveLength(22);
    expect(t.rows[0]!.slice(0, 2)).toEqual(['fleet/team-24', '25']);
    expect(t.rows[19]!.slice(0, 2)).toEqual(['fleet/team-05', '6']);
    // team-00 … team-04: 1 + 2 + 3 + 4 + 5 requests.
    expect(t.rows[20]!.slice(0, 3)).toEqual(['5 more repositories', '15', '15']);
    expect(t.rows[20]!.at(-1)).toBe('14.65Ki');
    expect(t.rows[21]!.slice(0, 2)).toEqual(['(no repository: API root, rate_limit, App routes)', '1']);
  });

  it('breaks ties by name and needs no summary row when every repository fits', () => {
    const t = table([request('b/two'), request('a/one'), request('b/two'), request('c/three'), request('a/one')]);
    expect(t.rows.map((r) => r[0])).toEqual(['a/one', 'b/two', 'c/three']);
  });

  it('is left out of a report without requests (and of a summary written before it was counted)', () => {
    const section = measurementSections().find((s) => s.id === 'github-repositories')!;
    expect(section.optional).toBe(true);
    expect(section.table({}).rows).toEqual([]);
  });
});
