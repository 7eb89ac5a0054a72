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

describe('control_plane.* metrics and the provider', () => {
  const judged = 'thresholds:\n  - ready.not_ready == 0\n  - control_plane.kube-apiserver.memory.peak < 2Gi\nregression:\n  control_plane.etcd.cpu.avg: +50%\n';

  it('are taken where the control plane runs as processes of this machine (local)', () => {
    const scenario = parseScenario(`name: s\nworkload: { apps: 1 }\n${judged}`, 'test.yaml');
    expect(scenario.thresholds).toHaveLength(2);
    expect(Object.keys(scenario.regression)).toEqual(['control_plane.etcd.cpu.avg']);
  });

  it('are refused before the run on kind and k3s (as on existing clusters), naming the field and the provider that has them', () => {
    for (const type of ['kind', 'k3s']) {
      expect(problems(`name: s\nworkload: { apps: 1 }\nprovider: { type: ${type} }\n${judged}`)).toEqual([
        `test.yaml:6:5: thresholds[1]: control_plane.* metrics need provider.type local (they are read from the control plane's processes on this machine); this scenario's provider.type is ${type} (allowed: local)`,
        `test.yaml:8:31: regression["control_plane.etcd.cpu.avg"]: control_plane.* metrics need provider.type local (they are read from the control plane's processes on this machine); this scenario's provider.type is ${type} (allowed: local)`,
      ]);
    }
    // Other metrics stay as they were there.
    expect(parseScenario('name: s\nworkload: { apps: 1 }\nprovider: { type: kind }\nthresholds: [ready.not_ready == 0]\n', 'test.yaml').thresholds).toHaveLength(1);
  });
});
