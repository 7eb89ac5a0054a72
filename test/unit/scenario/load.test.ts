import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defineScenario, loadScenario, parseScenario, ScenarioError } from '../../../src/scenario/index.ts';
import { ExitCode, UsageError } from '../../../src/util/exit-codes.ts';

/** The error lines parseScenario throws for `text`. */
function problems(text: string, file = 'test.yaml'): string[] {
  try {
    parseScenario(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as Error).message.split('\n');
  }
  throw new Error('expected the scenario to be rejected');
}

const minimal = 'name: tiny\nworkload: {}\n';

describe('parseScenario defaults', () => {
  it('accepts a file with only name and workload and fills every default', () => {
    const scenario = parseScenario(minimal, 'tiny.yaml');
    expect(scenario.apiVersion).toBe('fluxbench.io/v1alpha1');
    expect(scenario.kind).toBe('Scenario');
    expect(scenario.provider).toEqual({ type: 'local', nodes: 1 });
    expect(scenario.toolchain).toEqual({ flux: '2.9.5', kubernetes: '1.34.4', controllers: {} });
    expect(scenario.controllers.kustomize.shards).toBe(1);
    expect(scenario.controllers.helm.enabled).toBe(false);
    expect(scenario.controllers.notification.enabled).toBe(false);
    expect(scenario.duration).toBe('5m');
    expect(scenario.sampling.interval).toBe('5s');
    expect(scenario.settle.timeout).toBe('3m');
    expect(scenario.timeline).toEqual([]);
    expect(scenario.thresholds).toEqual([]);
    expect(scenario.regression).toEqual({});
    expect(scenario.workload.apps).toBe(10);
    expect(scenario.github.timeScale).toBe(1);
  });

  it('turns bare numbers into durations in seconds and quantities into bytes', () => {
    const scenario = parseScenario(
      'name: n\nworkload: {}\nduration: 90\ncontrollers:\n  source:\n    memoryLimit: 512Mi\n  kustomize:\n    memoryLimit: 1048576\n',
    );
    expect(scenario.duration).toBe('90s');
    expect(scenario.controllers.source.memoryLimit).toBe(512 * 1024 ** 2);
    expect(scenario.controllers.kustomize.memoryLimit).toBe(1_048_576);
  });

  it('applies action defaults in the timeline', () => {
    const scenario = parseScenario(
      `${minimal}timeline:\n  - { at: 10s, action: controller.kill, controller: source-controller }\n  - { at: 20s, action: github.fault, fault: errors }\n`,
    );
    expect(scenario.timeline[0]).toMatchObject({ action: 'controller.kill', signal: 'SIGKILL' });
    expect(scenario.timeline[1]).toMatchObject({ action: 'github.fault', fault: 'errors', status: 503, rate: 1 });
  });
});

describe('parseScenario errors name file:line:col, field and what is allowed', () => {
  it('reports an enum value with the allowed values', () => {
    expect(problems(`${minimal}provider:\n  type: kindd\n`)).toEqual([
      'test.yaml:4:9: provider.type: "kindd" is not allowed (allowed: local, kind, k3s, existing)',
    ]);
  });

  it('reports an unknown key at the key with a suggestion and the allowed keys', () => {
    expect(problems(`${minimal}controllers:\n  source:\n    memorylimit: 1Gi\n`)).toEqual([
      'test.yaml:5:5: controllers.source.memorylimit: unknown field "memorylimit" (did you mean "memoryLimit"?) (allowed: concurrent, memoryLimit, tmpfs, kubeApiQps, kubeApiBurst, requeueDependency, featureGates, args)',
    ]);
  });

  it('reports an unknown top-level key with the top-level fields', () => {
    const [line] = problems(`${minimal}durration: 5m\n`);
    expect(line).toMatch(/^test\.yaml:3:1: durration: unknown field "durration" \(did you mean "duration"\?\) \(allowed: apiVersion, kind, name, /);
  });

  it('reports an unknown action with every action name', () => {
    expect(problems(`${minimal}timeline:\n  - at: 30s\n    action: churn.begin\n`)).toEqual([
      'test.yaml:5:13: timeline[0].action: unknown action "churn.begin" (allowed: churn.start, churn.stop, github.fault, github.ratelimit, registry.fault, registry.ratelimit, controller.kill, controller.memoryLimit, controller.cpuLimit, component.pause, spoke.stop, spoke.pause, spoke.delete, artifact.slow, object.delete, flux.suspend, flux.resume, flux.reconcile, flux.patch)',
    ]);
  });

  it('reports an unknown github fault kind with the fault kinds', () => {
    expect(problems(`${minimal}timeline:\n  - { at: 1m, action: github.fault, fault: slow }\n`)).toEqual([
      'test.yaml:4:44: timeline[0].fault: unknown fault "slow" (allowed: latency, errors, reset, outage, bandwidth)',
    ]);
  });

  it('points a missing field at its nearest existing parent', () => {
    expect(problems(`${minimal}timeline:\n  - action: github.fault\n    at: 1m\n    fault: latency\n`)).toEqual([
      'test.yaml:4:5: timeline[0].delay: missing required field',
    ]);
    expect(problems('description: nothing else\n')).toEqual([
      'test.yaml:1:1: name: missing required field',
      'test.yaml:1:1: workload: missing required field',
    ]);
  });

  it('reports a missing action with the allowed actions', () => {
    expect(problems(`${minimal}timeline:\n  - at: 1m\n`)[0]).toMatch(/^test\.yaml:4:5: timeline\[0\]\.action: missing required field \(allowed: churn\.start, /);
  });

  it('validates durations and quantities with the units parsers', () => {
    expect(problems(`${minimal}duration: 5x\ncontrollers:\n  source:\n    memoryLimit: 1Qi\n`)).toEqual([
      'test.yaml:3:11: duration: expected a duration such as "30s", "1m30s" or "250ms" (a bare number means seconds)',
      'test.yaml:6:18: controllers.source.memoryLimit: expected a quantity such as "512Mi", "1Gi" or "64Ki" (a bare number means bytes)',
    ]);
    expect(problems(`${minimal}sampling:\n  interval: 0s\n`)).toEqual(['test.yaml:4:13: sampling.interval: must be longer than 0s']);
  });

  it('reports wrong types, numbers out of range and bad names', () => {
    expect(problems(`name: Smoke_1\nworkload: []\ncontrollers:\n  kustomize:\n    shards: 0\n`)).toEqual([
      'test.yaml:1:7: name: expected lowercase letters, digits and "-" (not at the start or end), e.g. "monorepo-memory"',
      'test.yaml:2:11: workload: expected a mapping, got a list',
      'test.yaml:5:13: controllers.kustomize.shards: must be at least 1',
    ]);
  });

  it('reports nested errors inside the workload and github sections at their position', () => {
    expect(problems('name: n\nworkload:\n  layout: tree\ngithub:\n  timeScale: -1\n')).toEqual([
      'test.yaml:3:11: workload.layout: "tree" is not allowed (allowed: monorepo, repo-per-team, both)',
      'test.yaml:5:14: github.timeScale: must be > 0',
    ]);
  });

  it('reports bad thresholds and regression limits, quoting metric-name keys', () => {
    expect(problems(`${minimal}thresholds: ["stalled.count = 0"]\nregression: { "lag.applied.p95": "20%" }\n`)).toEqual([
      'test.yaml:3:14: thresholds[0]: invalid threshold "stalled.count = 0": expected "<metric> <op> <value>", e.g. "lag.applied.p95 < 60s" (allowed ops: <, <=, >, >=, ==, !=)',
      'test.yaml:4:34: regression["lag.applied.p95"]: invalid regression limit "20%": start with + (limits an increase), - (limits a decrease) or ± (both), e.g. "+20%", "-10%", "+5s" (allowed signs: +, -, ±)',
    ]);
  });

  it('rejects metrics outside the summary catalogue when loading instead of failing with "no data" after a run', () => {
    expect(problems(`${minimal}thresholds: ["latency.applied.p95 < 60s", "*.*.max < 1Gi"]\nregression: { "mem.*.max": "+15%" }\n`)).toEqual([
      'test.yaml:3:14: thresholds[0]: unknown metric "latency.applied.p95": no summary metric starts with "latency." (allowed: memory, cpu, queue, reconcile, restarts, oom, lag, github, registry, stalled, api, etcd, apf, control_plane, objects, ready, goroutines, fds, workers, fleet, harness); did you mean "lag.applied.p95"?',
      'test.yaml:4:15: regression["mem.*.max"]: invalid key "mem.*.max": unknown metric "mem.*.max": no summary metric starts with "mem." (allowed: memory, cpu, queue, reconcile, restarts, oom, lag, github, registry, stalled, api, etcd, apf, control_plane, objects, ready, goroutines, fds, workers, fleet, harness); did you mean "memory.*.max"?',
    ]);
  });

  it('resolves YAML anchors and merge keys', () => {
    const scenario = parseScenario(
      `${minimal}controllers:\n  source: &common { concurrent: 4, requeueDependency: 5s }\n  kustomize:\n    <<: *common\n    shards: 2\n`,
    );
    expect(scenario.controllers.kustomize).toEqual({ concurrent: 4, requeueDependency: '5s', shards: 2 });
  });

  it('reports cross-field problems once every field is valid', () => {
    const text = [
      'name: n',
      'workload: { apps: 3, graph: { faults: { cycles: [5] } } }',
      'provider: { type: local, kindConfig: kind.yaml }',
      'duration: 2m',
      'timeline:',
      '  - { at: 3m, action: controller.kill, controller: helm-controller }',
      '',
    ].join('\n');
    expect(problems(text)).toEqual([
      'test.yaml:2:50: workload.graph.faults.cycles[0]: a 5-cycle needs 5 apps but the workload has only 3 (workload.apps); use a cycle length between 2 and 3 or raise apps',
      'test.yaml:3:38: provider.kindConfig: only used with provider.type kind, not local',
      'test.yaml:6:11: timeline[0].at: controller.kill helm-controller at 3m starts after the end of the measure phase (duration 2m)',
      'test.yaml:6:52: timeline[0].controller: controller.kill helm-controller at 3m targets helm-controller, which this scenario does not run (allowed: source-controller, kustomize-controller)',
    ]);
  });

  it('refuses faults a provider cannot carry out, and pod-only options elsewhere', () => {
    const text = [
      'name: n',
      'workload: { apps: 3 }',
      'provider: { type: k3s, fluxImageRepository: registry.example.com/fluxcd, kindImage: kindest/node:v1.34.0 }',
      'duration: 2m',
      'timeline:',
      '  - { at: 10s, action: component.pause, component: etcd, duration: 5s }',
      '  - { at: 20s, action: artifact.slow, bytesPerSecond: 1Ki, duration: 5s }',
      '  - { at: 30s, action: controller.kill, controller: source-controller }',
      '',
    ].join('\n');
    expect(problems(text)).toEqual([
      'test.yaml:3:85: provider.kindImage: only used with provider.type kind, not k3s',
      'test.yaml:6:24: timeline[0].action: component.pause needs the control plane as host processes (provider.type local), not k3s',
      'test.yaml:7:24: timeline[1].action: artifact.slow needs source-controller as a host process behind the harness\'s proxy (provider.type local), not k3s',
    ]);
    expect(problems(text.replace('type: k3s', 'type: existing').replace(', kindImage: kindest/node:v1.34.0', ''))).toEqual([
      'test.yaml:3:50: provider.fluxImageRepository: only used where Flux runs as pods (provider.type kind or k3s), not existing',
      'test.yaml:6:24: timeline[0].action: component.pause needs the control plane as host processes (provider.type local), not existing',
      'test.yaml:7:24: timeline[1].action: artifact.slow needs source-controller as a host process behind the harness\'s proxy (provider.type local), not existing',
      "test.yaml:8:24: timeline[2].action: controller.kill needs controllers the run starts (provider.type local, kind or k3s); on existing, Flux is not the run's",
    ]);
  });

  it('refuses HelmReleases without helm-controller, pointing at controllers.helm.enabled', () => {
    expect(problems('name: n\nworkload: { apps: 3, helm: { releases: 2 } }\n')).toEqual([
      'test.yaml:2:40: workload.helm.releases: 2 HelmReleases need helm-controller, which this scenario does not run: set controllers.helm.enabled: true',
    ]);
    expect(problems('name: n\nworkload: { apps: 3, graph: { faults: { kustomizationHelmCycle: true } } }\n')[0]).toMatch(/workload\.graph\.faults\.kustomizationHelmCycle: a HelmRelease in the cycle needs helm-controller/);
    expect(parseScenario('name: n\ncontrollers: { helm: { enabled: true } }\nworkload: { apps: 3, helm: { releases: 2 } }\n').controllers.helm.enabled).toBe(true);
    // On a borrowed cluster Flux is the cluster's own: not the scenario's to enable.
    expect(parseScenario('name: n\nprovider: { type: existing }\nworkload: { apps: 3, helm: { releases: 2 } }\n').provider.type).toBe('existing');
  });

  it('applies a command-line provider override before validating, so the file must still fit it', () => {
    const text = `${minimal}provider: { type: local, kindConfig: kind.yaml }\n`;
    expect(parseScenario(text, 'test.yaml', { providerType: 'kind' }).provider).toMatchObject({ type: 'kind', kindConfig: 'kind.yaml' });
    expect(() => parseScenario(text, 'test.yaml', { providerType: 'k3s' })).toThrow(/provider\.kindConfig: only used with provider\.type kind, not k3s/);
    expect(() => parseScenario(minimal, 'test.yaml', { providerType: 'docker' })).toThrow(/provider\.type: .*\(allowed: local, kind, k3s, existing\)/);
    expect(parseScenario(minimal, 'test.yaml', { providerType: 'k3s' }).provider.type).toBe('k3s');
  });

  it('reports YAML syntax errors with their position', () => {
    expect(problems('name: n\nworkload: {}\nfoo: [1, 2\n')[0]).toMatch(/^test\.yaml:\d+:\d+: \(yaml\): YAML syntax error: /);
    expect(problems('name: n\nname: m\nworkload: {}\n')).toEqual(['test.yaml:2:1: (yaml): YAML syntax error: Map keys must be unique']);
  });

  it('rejects an empty document as not a mapping', () => {
    expect(problems('')).toEqual(['test.yaml:1:1: (root): expected a mapping, got null (an empty value)']);
  });

  it('is a UsageError so the CLI exits with the usage code', () => {
    try {
      parseScenario('name: 1\n');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).exitCode).toBe(ExitCode.usage);
      expect((error as ScenarioError).problems).toEqual([
        { file: '<input>', line: 1, col: 1, field: 'workload', message: 'missing required field' },
        { file: '<input>', line: 1, col: 7, field: 'name', message: 'expected a string, got number 1' },
      ]);
    }
  });
});

describe('loadScenario', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxbench-scenario-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file and names it in errors', () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, `# yaml-language-server: $schema=./schema.json\n${minimal}`);
    expect(loadScenario(good).name).toBe('tiny');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, '# comment\nname: n\nworkload: {}\nsettle: { timeout: soon }\n');
    expect(() => loadScenario(bad)).toThrow(`${bad}:4:20: settle.timeout: expected a duration`);
  });

  it('says when the file does not exist', () => {
    const missing = join(dir, 'missing.yaml');
    expect(() => loadScenario(missing)).toThrow(`${missing}: (root): cannot read scenario: file not found`);
  });
});

describe('defineScenario', () => {
  it('returns the validated scenario with defaults', () => {
    const scenario = defineScenario({ name: 'typed', workload: { apps: 2 }, thresholds: ['stalled.count == 0'] });
    expect(scenario.workload.apps).toBe(2);
    expect(scenario.sampling.interval).toBe('5s');
    expect(scenario.thresholds).toEqual(['stalled.count == 0']);
  });

  it('throws the same style of error with <defineScenario> as the file', () => {
    expect(() =>
      defineScenario({ name: 'typed', workload: {}, provider: { type: 'docker' as 'local' } }),
    ).toThrow('<defineScenario>: provider.type: "docker" is not allowed (allowed: local, kind, k3s, existing)');
  });
});
