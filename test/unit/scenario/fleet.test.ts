import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../../src/scenario/index.ts';

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
    expect(problems('name: s\nworkload: { app: { replicas: 0 } }\nfleet: { spokes: 0 }\n')).toEqual(['test.yaml:3:18: fleet.spokes: must be at least 1']);
    expect(problems('name: s\nworkload: { app: { replicas: 0 } }\nfleet: { spokes: 101 }\n')).toEqual([
      'test.yaml:3:18: fleet.spokes: must be at most 100: each spoke is one more etcd, API server and kube-controller-manager on this machine',
    ]);
    expect(problems('name: s\nworkload: { app: { replicas: 0 } }\nfleet: { spokes: 2, intervals: { apps: 0s } }\n')).toEqual(['test.yaml:3:40: fleet.intervals.apps: must be longer than 0s']);
    expect(problems('name: s\nworkload: { app: { replicas: 0 } }\nfleet: { spokes: 2, intervals: { infrastructure: soon } }\n')[0]).toMatch(/^test\.yaml:3:50: fleet\.intervals\.infrastructure: expected a duration/);
    expect(problems('name: s\nworkload: { app: { replicas: 0 } }\nfleet: {}\n')).toEqual(['test.yaml:3:8: fleet.spokes: missing required field']);
    expect(problems('name: s\nworkload: { app: { replicas: 0 } }\nfleet: { spokes: 2, hubs: 1 }\n')).toEqual(['test.yaml:3:21: fleet.hubs: unknown field "hubs" (allowed: spokes, intervals)']);
    // Top-level only: the generator's options take it from there.
    expect(problems('name: s\nworkload: { fleet: { spokes: 2 } }\n')[0]).toMatch(/^test\.yaml:2:13: workload\.fleet: unknown field "fleet" \(allowed: seed, .*, crds\)$/);
  });

  it('needs provider.type local, naming both fields and the allowed value', () => {
    expect(problems('name: s\nworkload: { app: { replicas: 0 } }\nprovider: { type: kind }\nfleet: { spokes: 2 }\n')).toEqual([
      'test.yaml:4:18: fleet.spokes: fleet.spokes needs provider.type local (the spokes are local binary clusters started beside the hub); this scenario\'s provider.type is kind (allowed: local)',
    ]);
  });

  it('refuses HelmReleases and OCI sources in fleet mode, at the workload field, naming fleet', () => {
    expect(problems('name: s\ncontrollers: { helm: { enabled: true } }\nworkload: { app: { replicas: 0 }, helm: { releases: 2 } }\nfleet: { spokes: 2 }\n')).toEqual([
      'test.yaml:3:53: workload.helm.releases: 2 with fleet: HelmReleases are not rendered for spokes yet (each would need its kubeConfig, storage namespace and chart source per spoke); set workload.helm.releases: 0 or remove fleet',
    ]);
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
      'test.yaml:6:5: thresholds[1]: names spoke-09, which fleet.spokes 2 does not make (allowed: spoke-01, spoke-02)',
      'test.yaml:8:35: regression["fleet.spoke-03.lag.applied.p95"]: names spoke-03, which fleet.spokes 2 does not make (allowed: spoke-01, spoke-02)',
    ]);
  });
});
