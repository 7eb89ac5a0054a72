import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../../src/scenario/index.ts';
import { fleetSpokeNames } from '../../../src/workload/index.ts';

function problems(text: string): string[] {
  try {
    parseScenario(text, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as Error).message.split('\n');
  }
  throw new Error('expected the scenario to be rejected');
}

describe('the fleet section', () => {
  it('is absent by default, and takes spokes with default intervals', () => {
    expect(parseScenario('name: s\nworkload: { apps: 2 }\n', 'test.yaml').fleet).toBeUndefined();
    expect(parseScenario('name: s\nworkload: { app: { replicas: 0 } }\nfleet: { spokes: 3 }\n', 'test.yaml').fleet).toEqual({ spokes: 3, intervals: { infrastructure: '15m', apps: '2m' } });
    expect(parseScenario('name: s\nworkload: { app: { replicas: 0 } }\nfleet:\n  spokes: 100\n  intervals: { infrastructure: 1h, apps: 90 }\n', 'test.yaml').fleet).toEqual({
      spokes: 100,
      intervals: { infrastructure: '1h', apps: '90s' },
    });
  });

  it('bounds spokes to 1..100 and intervals to positive durations, and knows no other field', () => {
    expect(problems('name: s\nworkload: { app: { replicas: 0 } }\nfleet: { spokes: 0 }\n')).toEqual([
      'test.yaml:3:18: fleet.spokes: the fleet has no spoke: set fleet.spokes (local spoke clusters) or fleet.contexts (existing clusters)',
    ]);
    expect(problems('name: s\nworkload: { app: { replicas: 0 } }\nfleet: { spokes: -1 }\n')).toEqual(['test.yaml:3:18: fleet.spokes: must be at least 0']);
    expect(problems('name: s\nworkload: { app: { replicas: 0 } }\nfleet: { spokes: 101 }\n')).toEqual([
      'test.yaml:3:18: fleet.spokes: must be at most 100: each spoke is one more etcd, API server and kube-controller-manager on this machine',
    ]);
    expect(problems('name: s\nworkload: { app: { replicas: 0 } }\nfleet: { spokes: 2, intervals: { apps: 0s } }\n')).toEqual(['test.yaml:3:40: fleet.intervals.apps: must be longer than 0s']);
    expect(problems('name: s\nworkload: { app: { replicas: 0 } }\nfleet: { spokes: 2, intervals: { infrastructure: soon } }\n')[0]).toMatch(/^test\.yaml:3:50: fleet\.intervals\.infrastructure: expected a duration/);
    expect(problems('name: s\nworkload: { app: { replicas: 0 } }\nfleet: {}\n')).toEqual([
      'test.yaml:3:8: fleet.spokes: the fleet has no spoke: set fleet.spokes (local spoke clusters) or fleet.contexts (existing clusters)',
    ]);
    expect(problems('name: s\nworkload: { app: { replicas: 0 } }\nfleet: { spokes: 2, hubs: 1 }\n')).toEqual(['test.yaml:3:21: fleet.hubs: unknown field "hubs" (allowed: spokes, contexts, intervals)']);
    // Top-level only: the generator's options take it from there.
    expect(problems('name: s\nworkload: { fleet: { spokes: 2 } }\n')[0]).toMatch(/^test\.yaml:2:13: workload\.fleet: unknown field "fleet" \(allowed: seed, .*, crds, crdSchemaSize\)$/);
  });

  it('takes existing clusters as spokes (fleet.contexts), after the local ones, and refuses bad or clashing names', () => {
    const fleet = parseScenario('name: s\nworkload: { app: { replicas: 0 } }\nfleet: { spokes: 1, contexts: [{ name: edge-1, context: kind-edge, kubeconfig: ~/k.yaml }] }\n', 'test.yaml').fleet!;
    expect(fleet.contexts).toEqual([{ name: 'edge-1', context: 'kind-edge', kubeconfig: '~/k.yaml' }]);
    expect(fleetSpokeNames(fleet)).toEqual(['spoke-01', 'edge-1']);
    // Contexts alone make a fleet too.
    expect(fleetSpokeNames(parseScenario('name: s\nworkload: { app: { replicas: 0 } }\nfleet: { contexts: [{ name: edge-1, context: c }] }\n', 'test.yaml').fleet!)).toEqual(['edge-1']);
    expect(problems('name: s\nworkload: { app: { replicas: 0 } }\nfleet: { contexts: [{ name: spoke-1, context: c }, { name: Edge, context: c }, { name: e, context: c }, { name: e, context: d }] }\n')).toEqual([
      'test.yaml:3:29: fleet.contexts[0].name: spoke-<number> names the local spokes of fleet.spokes; choose another, e.g. "edge-1"',
      'test.yaml:3:60: fleet.contexts[1].name: expected a DNS label (lowercase letters, digits and "-"), e.g. "edge-1"',
    ]);
    expect(problems('name: s\nworkload: { app: { replicas: 0 } }\nfleet: { contexts: [{ name: e, context: c }, { name: e, context: d }] }\n')).toEqual(['test.yaml:3:54: fleet.contexts[1].name: "e" names two spokes; each needs its own']);
    expect(problems('name: s\nworkload: { app: { replicas: 0 } }\nfleet: { contexts: [{ name: kube-system, context: c }] }\n')[0]).toMatch(/fleet\.contexts\[0\]\.name: names a namespace of the hub itself \(default, kube-system/);
    // A threshold on a spoke the fleet does not have, local or not, is refused before the run.
    expect(problems('name: s\nworkload: { app: { replicas: 0 } }\nfleet: { contexts: [{ name: edge-1, context: c }] }\nthresholds: [fleet.edge-1.ready > 0, fleet.edge-9.ready > 0]\n')).toEqual([
      'test.yaml:4:38: thresholds[1]: names edge-9, which is not a spoke of this fleet (1 spokes) (allowed: edge-1)',
    ]);
    // A fleet of contexts alone still needs a local hub, blamed on contexts.
    expect(problems('name: s\nprovider: { type: kind }\nworkload: { app: { replicas: 0 } }\nfleet: { contexts: [{ name: e, context: c }] }\n')[0]).toMatch(/^test\.yaml:4:20: fleet\.contexts: a fleet needs provider\.type local for its hub/);
    // Flux prunes what it applied to an existing cluster at the end: prune must stay on.
    expect(problems('name: s\nworkload: { app: { replicas: 0 }, flux: { prune: false } }\nfleet: { contexts: [{ name: e, context: c }] }\n')).toEqual([
      'test.yaml:2:50: workload.flux.prune: false with fleet.contexts: at the end of the run Flux prunes what it applied to the existing clusters, which needs prune (allowed: true)',
    ]);
    // Chaos acts on local spokes only: a context's name is no spoke field.
    expect(problems('name: s\nworkload: { app: { replicas: 0 } }\nfleet: { contexts: [{ name: edge-1, context: c }] }\ntimeline: [{ at: 1s, action: spoke.stop, spoke: edge-1 }]\n')[0]).toMatch(/timeline\[0\]\.spoke: expected a spoke name such as "spoke-01"/);
  });

  it('needs provider.type local, naming both fields and the allowed value', () => {
    expect(problems('name: s\nworkload: { app: { replicas: 0 } }\nprovider: { type: kind }\nfleet: { spokes: 2 }\n')).toEqual([
      'test.yaml:4:18: fleet.spokes: fleet.spokes needs provider.type local (the spokes are local binary clusters started beside the hub); this scenario\'s provider.type is kind (allowed: local)',
    ]);
  });

  it('refuses minimal Helm values and OCI sources in fleet mode, at the workload field, naming fleet', () => {
    expect(problems('name: s\ncontrollers: { helm: { enabled: true } }\nworkload: { app: { replicas: 0 }, helm: { releases: 2 } }\nfleet: { spokes: 2 }\n')).toEqual([
      'test.yaml:3:41: workload.helm.values: minimal with fleet: its releases run 1 replica, which never becomes Available on a spoke (no nodes, no scheduler); set workload.helm.values: app (it follows workload.app.replicas: 0) (allowed: app)',
    ]);
    expect(parseScenario('name: s\ncontrollers: { helm: { enabled: true } }\nworkload: { app: { replicas: 0 }, helm: { releases: 2, values: app } }\nfleet: { spokes: 2 }\n', 'test.yaml').workload.helm.releases).toBe(2);
    // Spokes run no nodes and no scheduler: apps with Pods could never become Available there.
    expect(problems('name: s\nworkload: { apps: 2 }\nfleet: { spokes: 1 }\n')[0]).toMatch(/^test\.yaml:2:11: workload\.app\.replicas: 2 with fleet: spokes run no nodes and no scheduler.*set workload\.app\.replicas: 0.*\(allowed: 0\)$/);
    expect(problems('name: s\nworkload: { app: { replicas: 0 }, source: oci }\nfleet: { spokes: 1 }\n')).toEqual([
      "test.yaml:2:43: workload.source: oci is not rendered in fleet mode yet (fleet is set): the spokes' Kustomizations read the hub's GitRepositories (allowed: git)",
    ]);
    // Without fleet both are as before.
    expect(parseScenario('name: s\ncontrollers: { helm: { enabled: true } }\nworkload: { helm: { releases: 2 } }\n', 'test.yaml').workload.helm.releases).toBe(2);
  });

  it('refuses thresholds and regression keys naming a spoke the fleet does not make', () => {
    const file = 'name: s\nworkload: { app: { replicas: 0 } }\nfleet: { spokes: 2 }\nthresholds:\n  - fleet.spoke-01.ready > 0\n  - fleet.spoke-09.ready > 0\nregression:\n  fleet.spoke-03.lag.applied.p95: +50%\n';
    expect(problems(file)).toEqual([
      'test.yaml:6:5: thresholds[1]: names spoke-09, which is not a spoke of this fleet (2 spokes) (allowed: spoke-01, spoke-02)',
      'test.yaml:8:35: regression["fleet.spoke-03.lag.applied.p95"]: names spoke-03, which is not a spoke of this fleet (2 spokes) (allowed: spoke-01, spoke-02)',
    ]);
  });
});
