import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadScenario } from '../../../src/scenario/index.ts';

interface Job {
  strategy: { matrix: { scenario: string[] } };
  steps: Array<{ run?: string; name?: string }>;
}
const workflow = parse(readFileSync(new URL('../../../.github/workflows/nightly.yml', import.meta.url), 'utf8')) as { jobs: Record<string, Job> };

describe('the nightly workflow', () => {
  it('runs every shipped failure scenario on the local cluster, each of them valid', () => {
    const scenarios = workflow.jobs.scenario!.strategy.matrix.scenario;
    expect(scenarios).toEqual(expect.arrayContaining(['smoke', 'broken-root', 'dependency-cycle', 'rate-limit', 'sharding', 'manifest-bloat-500', 'monorepo-memory']));
    for (const name of scenarios) expect(loadScenario(`scenarios/${name}.yaml`).provider.type).toBe('local');
  });

  it('runs its kind matrix with --provider kind, and each of those scenarios is valid on kind', () => {
    const job = workflow.jobs.kind!;
    expect(job.steps.some((s) => s.run?.includes('--provider kind'))).toBe(true);
    for (const name of job.strategy.matrix.scenario) expect(loadScenario(`scenarios/${name}.yaml`, { providerType: 'kind' }).provider.type).toBe('kind');
    // sharding kills a controller (fine on kind); a scenario pausing etcd would be refused, which is why the matrix is chosen.
    expect(() => loadScenario('scenarios/sharding.yaml', { providerType: 'existing' })).toThrow(/controller\.kill needs controllers the run starts/);
  });
});
