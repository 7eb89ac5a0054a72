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

const app = 'app: { replicas: 0, serviceAccount: true, ingress: true, configMaps: false }';

describe("scenarios in flux-benchmark's shape", () => {
  it('accepts its app, its dummy CRDs and HelmReleases rendering the same app from the registry', () => {
    const scenario = parseScenario(
      [
        'name: mttp',
        'controllers: { helm: { enabled: true, concurrent: 10 } }',
        `workload: { source: oci, apps: 0, crds: 250, ${app}, helm: { releases: 100, source: oci-repository, values: app, driftDetection: enabled } }`,
        '',
      ].join('\n'),
      'test.yaml',
    );
    expect(scenario.workload.crds).toBe(250);
    expect(scenario.workload.app).toMatchObject({ replicas: 0, serviceAccount: true, ingress: true, configMaps: false });
    expect(scenario.workload.helm).toMatchObject({ values: 'app', driftDetection: 'enabled' });
  });

  it('refuses a churn of apps that have no ConfigMap to bump, and too many CRDs, each at its line', () => {
    expect(problems(`name: n\nworkload: { apps: 3, ${app} }\ntimeline:\n  - { at: 1s, action: churn.start, rate: 1 }\n`)).toEqual([
      "test.yaml:4:23: timeline[0].action: churn.start bumps each app's churn ConfigMap, which workload.app.configMaps false leaves out: set configMaps true or remove the churn",
    ]);
    expect(problems('name: n\nworkload: { crds: 5000 }\n')).toEqual([
      'test.yaml:2:19: workload.crds: must be at most 1,000: each CRD is one more API group the API server serves and every client discovers',
    ]);
  });
});
