import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, planTimeline, scenarioJsonSchemaText } from '../../../src/scenario/index.ts';

const scenariosDir = join(import.meta.dirname, '../../../scenarios');
const yamlFiles = readdirSync(scenariosDir).filter((file) => /\.ya?ml$/.test(file)).sort();
/** Sizing specs (kind: SizingSpec) live beside the scenarios; they are checked in test/unit/sizing. */
const isSizingSpec = (file: string) => /^kind: SizingSpec$/m.test(readFileSync(join(scenariosDir, file), 'utf8'));
const files = yamlFiles.filter((file) => !isSizingSpec(file));

describe('shipped scenarios', () => {
  it('ships the sizing spec beside them', () => {
    expect(yamlFiles.filter(isSizingSpec)).toEqual(['sizing.yaml']);
  });

  it('ships the scenarios the docs promise', () => {
    for (const name of ['smoke', 'rate-limit', 'dependency-cycle', 'broken-root', 'manifest-bloat-500', 'monorepo-memory', 'sharding']) {
      expect(files).toContain(`${name}.yaml`);
    }
  });

  // The fixes are only comparable with the failure when the load is the same: repos, quota, time compression, churn.
  it('runs the rate-limit fixes on the same load as rate-limit.yaml, changing one thing each', () => {
    const base = loadScenario(join(scenariosDir, 'rate-limit.yaml'));
    const fixes = files.filter((f) => f.startsWith('rate-limit-fix-')).map((f) => loadScenario(join(scenariosDir, f)));
    expect(fixes.map((f) => f.name).sort()).toEqual(['rate-limit-fix-app', 'rate-limit-fix-interval', 'rate-limit-fix-oci', 'rate-limit-fix-webhooks']);
    for (const fix of fixes) {
      // The OCI fix moves the same apps to another source kind; everything else is the load.
      expect({ ...fix.workload, flux: undefined, source: undefined, oci: undefined }).toEqual({ ...base.workload, flux: undefined, source: undefined, oci: undefined });
      expect(fix.timeline).toEqual(base.timeline);
      expect([fix.duration, fix.github.timeScale, fix.controllers.source.concurrent]).toEqual([base.duration, base.github.timeScale, base.controllers.source.concurrent]);
      // Each fix is judged on the quota of the host Flux polls.
      const quota = fix.workload.source === 'oci' ? ['registry.throttled == 0', 'registry.quota_remaining.min > 0'] : ['github.status_403.count == 0', 'github.quota.min_remaining > 0'];
      expect(fix.thresholds).toEqual(expect.arrayContaining(quota));
    }
    const byName = new Map(fixes.map((f) => [f.name, f]));
    expect(byName.get('rate-limit-fix-interval')!.workload.flux.sourceInterval).not.toBe(base.workload.flux.sourceInterval);
    expect(byName.get('rate-limit-fix-app')!.workload.flux.provider).toBe('github');
    expect(byName.get('rate-limit-fix-app')!.workload.flux.sourceInterval).toBe(base.workload.flux.sourceInterval);
    expect(byName.get('rate-limit-fix-webhooks')!.controllers.notification).toMatchObject({ enabled: true, receivers: true });
    // OCI: the same polling interval, and the registry holds the GitHub token's quota, compressed alike.
    const oci = byName.get('rate-limit-fix-oci')!;
    expect(oci.workload.source).toBe('oci');
    expect(oci.workload.flux.sourceInterval).toBe(base.workload.flux.sourceInterval);
    expect([oci.registry.timeScale, oci.registry.rateLimits.authenticated]).toEqual([base.github.timeScale, base.github.rateLimits.token]);
    expect(oci.registry.rateLimits.window).toBe('1h');
  });

  it('varies monorepo-memory one knob at a time: the limit, ignore rules, the clone depth', () => {
    const base = loadScenario(join(scenariosDir, 'monorepo-memory.yaml'));
    const variant = (name: string) => loadScenario(join(scenariosDir, `${name}.yaml`));
    const oom = variant('monorepo-memory-oom');
    expect(oom.workload).toEqual(base.workload);
    expect(oom.controllers.source.memoryLimit).not.toEqual(base.controllers.source.memoryLimit);
    const ignore = variant('monorepo-memory-ignore');
    expect({ ...ignore.workload.flux, ignore: undefined }).toEqual({ ...base.workload.flux, ignore: undefined });
    expect(ignore.workload.flux.ignore).toBe('/assets/');
    const full = variant('monorepo-memory-full-history');
    expect({ ...full.workload.flux, fleetRef: 'branch' }).toEqual(base.workload.flux);
    expect(full.workload.flux.fleetRef).toBe('commit');
    for (const v of [oom, ignore, full]) {
      expect({ ...v.workload, flux: undefined }).toEqual({ ...base.workload, flux: undefined });
      expect(v.timeline).toEqual(base.timeline);
      expect(v.duration).toBe(base.duration);
    }
  });

  // The monorepo effect is only visible when the apps, controllers and run are the same.
  it('varies monorepo-effect one fix each: repositories per team, OCI per app, the Flux docs\' ignore rules with tmpfs', () => {
    const base = loadScenario(join(scenariosDir, 'monorepo-effect.yaml'));
    const variant = (name: string) => loadScenario(join(scenariosDir, `${name}.yaml`));
    const perTeam = variant('monorepo-effect-per-team');
    expect({ ...perTeam.workload, layout: undefined }).toEqual({ ...base.workload, layout: undefined });
    expect([base.workload.layout, perTeam.workload.layout]).toEqual(['monorepo', 'repo-per-team']);
    const oci = variant('monorepo-effect-oci');
    expect({ ...oci.workload, source: undefined, oci: undefined }).toEqual({ ...base.workload, source: undefined, oci: undefined });
    expect([oci.workload.source, oci.workload.oci.layout]).toEqual(['oci', 'per-app']);
    const ignore = variant('monorepo-effect-ignore');
    expect({ ...ignore.workload.flux, ignore: undefined }).toEqual({ ...base.workload.flux, ignore: undefined });
    expect(ignore.workload.flux.ignore).toBe('/assets/');
    expect({ ...ignore.controllers.kustomize, tmpfs: undefined }).toEqual({ ...base.controllers.kustomize, tmpfs: undefined });
    expect([base.controllers.kustomize.tmpfs ?? false, ignore.controllers.kustomize.tmpfs]).toEqual([false, true]);
    for (const v of [perTeam, oci, ignore]) {
      const rest = (w: typeof base.workload) => ({ ...w, layout: undefined, source: undefined, oci: undefined, flux: { ...w.flux, ignore: undefined } });
      expect(rest(v.workload)).toEqual(rest(base.workload));
      expect({ ...v.controllers, kustomize: undefined }).toEqual({ ...base.controllers, kustomize: undefined });
      expect([v.duration, v.settle, v.sampling, v.provider, v.thresholds, v.timeline]).toEqual([base.duration, base.settle, base.sampling, base.provider, base.thresholds, base.timeline]);
    }
    for (const v of [perTeam, oci]) expect(v.controllers.kustomize).toEqual(base.controllers.kustomize);
  });

  // The reproduction only shows the statuses' own quota running out if Flux's token is another one.
  it('runs commit-status-quota with statuses on a token of their own, limited, and Flux on another', () => {
    const s = loadScenario(join(scenariosDir, 'commit-status-quota.yaml'));
    expect(s.controllers.notification).toMatchObject({ enabled: true, alerts: { github: true, generic: true } });
    const [flux, statuses] = [s.github.tokens[0], s.github.tokens.find((t) => t.name === 'notifications')];
    expect(flux?.name).not.toBe('notifications');
    expect(statuses?.limit).toBeLessThan(flux?.limit ?? s.github.rateLimits.token);
    expect(s.github.rateLimits.counts).not.toContain('hooks');
  });

  it.each(files)('%s is valid, named after its file and plannable', (file) => {
    const path = join(scenariosDir, file);
    const scenario = loadScenario(path);
    expect(`${scenario.name}.yaml`).toBe(file);
    expect(readFileSync(path, 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\/schema\.json\n/);
    expect(planTimeline(scenario).length).toBe(scenario.timeline.length);
  });
});

describe('scenarios/schema.json', () => {
  it('matches the zod schema (run `npm run schema` after changing it)', () => {
    const committed = readFileSync(join(scenariosDir, 'schema.json'), 'utf8');
    expect(committed, 'scenarios/schema.json is stale: run `npm run schema`').toBe(scenarioJsonSchemaText());
  });

  it('describes a strict object with name and workload required', () => {
    const schema = JSON.parse(scenarioJsonSchemaText()) as { required: string[]; additionalProperties: boolean; properties: Record<string, unknown> };
    expect(schema.required).toEqual(['name', 'workload']);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toContain('timeline');
  });
});
