import { describe, expect, it } from 'vitest';
import { estimateWorkload, parseGeneratorOptions, planWorkload, repoCount, type GeneratorOptionsInput } from '../../../src/workload/index.ts';
import { initialTree } from '../../../src/workload/history.ts';
import { helmReleaseValues, renderUnitFiles } from '../../../src/workload/manifests.ts';
import { parseManifests } from '../../../src/workload/sample.ts';

// The estimate is arithmetic on the options; the plan and the files are what the generator
// really makes. They must agree: counts exactly, HEAD bytes closely.
const cases: GeneratorOptionsInput[] = [
  { apps: 10 },
  { apps: 0 },
  { apps: 100, teams: 4, layout: 'repo-per-team' },
  { apps: 37, teams: 5, layout: 'both' },
  { apps: 50, app: { manifests: 6, bytesPerManifest: 4096, hpa: true, ingress: true, replicas: 3 } },
  { apps: 20, helm: { releases: 5 } },
  { apps: 30, helm: { releases: 2, source: 'git-repository' }, graph: { faults: { kustomizationHelmCycle: true, brokenRoots: 2 } } },
  { apps: 300, teams: 7, app: { manifests: 4, bytesPerManifest: 16384 }, largeFiles: { count: 2, bytes: 100_000 }, ignoredFiles: { count: 3, bytes: 5_000 } },
  // flux-benchmark's app, with its dummy CRDs.
  { apps: 40, crds: 50, app: { replicas: 0, serviceAccount: true, ingress: true, configMaps: false } },
  { apps: 6, helm: { releases: 7, values: 'app' }, app: { replicas: 3, serviceAccount: true, ingress: true } },
];

/** Objects by kind that the apps' directories and the HelmReleases' values (as the chart renders them) make. */
function renderedCounts(input: GeneratorOptionsInput): Map<string, number> {
  const plan = planWorkload(parseGeneratorOptions(input), 'http://127.0.0.1:8080');
  const counts = new Map<string, number>();
  const add = (kind: string, n = 1) => counts.set(kind, (counts.get(kind) ?? 0) + n);
  for (const unit of plan.units.filter((u) => u.variant === 'app' || u.variant === 'broken-root')) {
    for (const [name, text] of renderUnitFiles(plan, unit)) if (name !== 'kustomization.yaml') for (const o of parseManifests(text, name)) add(o.kind);
  }
  for (const hr of plan.helmReleases) {
    const values = helmReleaseValues(plan.options, hr) as { replicas: number; serviceAccount?: { create: boolean }; service?: { enabled: boolean }; ingress?: { enabled: boolean } };
    add('Pod', values.replicas);
    if (values.serviceAccount?.create) add('ServiceAccount');
    if (values.service?.enabled) add('Service');
    if (values.ingress?.enabled) add('Ingress');
  }
  return counts;
}

describe('estimateWorkload', () => {
  for (const input of cases) {
    it(`matches the plan and the generated files for ${JSON.stringify(input)}`, () => {
      const options = parseGeneratorOptions(input);
      const plan = planWorkload(options, 'http://127.0.0.1:8080');
      const estimate = estimateWorkload(options);
      const count = (kind: string) => estimate.objects.find((o) => o.kind === kind)?.count ?? 0;
      expect(estimate.repos).toBe(plan.repos.length);
      expect(repoCount(options)).toBe(plan.repos.length);
      expect(count('GitRepository')).toBe(plan.repos.length);
      // The root Kustomization is not a unit.
      expect(count('Kustomization')).toBe(plan.units.length + 1);
      expect(count('HelmRelease')).toBe(plan.helmReleases.length);
      expect(count('PersistentVolumeClaim')).toBe(plan.units.filter((u) => u.variant === 'broken-root').length);
      const rendered = renderedCounts(input);
      expect(count('Service')).toBe(rendered.get('Service') ?? 0);
      expect(count('ServiceAccount')).toBe(rendered.get('ServiceAccount') ?? 0);
      expect(count('Ingress')).toBe(rendered.get('Ingress') ?? 0);
      expect(count('Pod')).toBe(options.apps * options.app.replicas + (rendered.get('Pod') ?? 0));
      expect(count('CustomResourceDefinition')).toBe(options.crds);

      let head = 0;
      let largest = 0;
      for (const repo of plan.repos) {
        let bytes = 0;
        for (const content of initialTree(plan, repo).values()) bytes += typeof content === 'string' ? Buffer.byteLength(content) : content.length;
        head += bytes;
        largest = Math.max(largest, bytes);
      }
      // Within 10 % (15 % for the largest repo), or a KiB for tiny workloads.
      expect(Math.abs(estimate.headBytes - head), `HEAD ${estimate.headBytes} vs ${head}`).toBeLessThan(Math.max(0.1 * head, 1024));
      expect(Math.abs(estimate.largestHeadBytes - largest), `largest ${estimate.largestHeadBytes} vs ${largest}`).toBeLessThan(Math.max(0.15 * largest, 1024));
      expect(estimate.repoBytes).toBeGreaterThanOrEqual(estimate.headBytes);
      expect(estimate.objectCount).toBe(estimate.objects.reduce((s, o) => s + o.count, 0));
    });
  }

  it('fills each repo up to repoSizeBytes and counts history', () => {
    const padded = estimateWorkload(parseGeneratorOptions({ apps: 5, repoSizeBytes: '50Mi' }));
    expect(padded.repoBytes).toBe(50 * 2 ** 20);
    const plain = estimateWorkload(parseGeneratorOptions({ apps: 5 }));
    const deep = estimateWorkload(parseGeneratorOptions({ apps: 5, history: { commits: 1_000 } }));
    expect(deep.repoBytes - plain.repoBytes).toBeGreaterThan(999 * 300);
  });

  it('answers at once at the largest size the schema allows', () => {
    const started = performance.now();
    const estimate = estimateWorkload(parseGeneratorOptions({ apps: 20_000, teams: 1_000, layout: 'repo-per-team', app: { manifests: 100, replicas: 100 }, helm: { releases: 5_000 } }));
    expect(performance.now() - started).toBeLessThan(50);
    expect(estimate.objectCount).toBeGreaterThan(4_000_000);
  });
});
