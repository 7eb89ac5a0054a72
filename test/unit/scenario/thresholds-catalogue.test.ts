import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../../src/scenario/index.ts';

const minimal = 'name: tiny\nworkload: {}\n';

/** The error lines parseScenario throws for `text`, or [] when it loads. */
function problems(text: string): string[] {
  try {
    parseScenario(text, 'test.yaml');
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as Error).message.split('\n');
  }
}

const thresholds = (...expressions: string[]) => problems(`${minimal}thresholds: ${JSON.stringify(expressions)}\n`);
const regression = (limits: Record<string, string>) => problems(`${minimal}regression: ${JSON.stringify(limits)}\n`);

describe('thresholds checked against the metric catalogue when loading', () => {
  it('checks the whole name, not only its first segment, and suggests the nearest catalogue name', () => {
    expect(thresholds('lag.aplied.p95 < 30s')).toEqual(['test.yaml:3:14: thresholds[0]: unknown metric "lag.aplied.p95"; did you mean "lag.applied.p95"?']);
    expect(thresholds('github.quota.min_remainig > 0')).toEqual([
      'test.yaml:3:14: thresholds[0]: unknown metric "github.quota.min_remainig"; did you mean "github.quota.min_remaining"? (after "github.quota." come: min_remaining, exhausted_after, predicted_exhaustion, back_after)',
    ]);
  });

  it('names the aggregations a metric has when the last segment is wrong', () => {
    expect(thresholds('lag.applied.p90 < 30s')[0]).toMatch(/unknown metric "lag\.applied\.p90"; did you mean "lag\.applied\.p\d\d"\? \(after "lag\.applied\." come: p50, p95, p99, max, count, pending, pending_oldest\)$/);
    expect(thresholds('memory.source-controller.peak < 1Gi')[0]).toMatch(/after "memory\.source-controller\." come: max, avg, last, slope\)$/);
  });

  it('rejects a limit in a unit the metric is not measured in', () => {
    expect(thresholds('memory.source-controller.max < 30s')).toEqual([
      'test.yaml:3:14: thresholds[0]: "memory.source-controller.max" is measured in bytes, but the limit 30s is a duration; write a quantity such as "512Mi" or "1Gi"',
    ]);
    // A plain number is seconds, the base unit, as thresholds have always read it.
    expect(thresholds('lag.applied.p95 < 60')).toEqual([]);
    expect(thresholds('lag.applied.p95 < 1Gi')[0]).toMatch(/"lag\.applied\.p95" is measured in seconds, but the limit 1Gi is a binary quantity; write a duration/);
    expect(thresholds('restarts.count < 1Gi')[0]).toMatch(/"restarts\.count" is a count, but the limit 1Gi is a binary quantity/);
    expect(thresholds('memory.*.max < 5m')[0]).toMatch(/"memory\.\*\.max" is measured in bytes, but the limit 5m is a duration/);
  });

  it('accepts limits in the metric unit, zero anywhere, and controllers or shards it has no list of', () => {
    expect(
      thresholds(
        'lag.applied.p95 < 2m',
        'memory.kustomize-controller-shard2.max < 512Mi',
        'memory.kustomize-controller*.max < 512Mi',
        'memory.image-reflector-controller.max < 256Mi',
        'cpu.*.max < 0.5',
        'restarts.count == 0',
        'lag.applied.count > 0',
        'lag.ready.p95 > 0',
        'etcd.db_bytes.max < 2000000000',
        'goroutines.*.max < 5k',
        'fds.source-controller.max < 1000',
        '*.*.max < 1Gi',
      ),
    ).toEqual([]);
  });
});

describe('regression limits checked against the metric catalogue when loading', () => {
  it('checks the key and suggests the nearest name', () => {
    expect(regression({ 'lag.aplied.p95': '+20%' })).toEqual([
      'test.yaml:3:14: regression["lag.aplied.p95"]: invalid key "lag.aplied.p95": unknown metric "lag.aplied.p95"; did you mean "lag.applied.p95"?',
    ]);
  });

  it('checks an absolute limit against the unit of the metric; a relative one fits every metric', () => {
    expect(regression({ 'memory.*.max': '+5s' })).toEqual([
      'test.yaml:3:29: regression["memory.*.max"]: "memory.*.max" is measured in bytes, but the limit 5s is a duration; write a quantity such as "512Mi" or "1Gi"',
    ]);
    expect(regression({ 'memory.*.max': '+64Mi', 'lag.applied.p95': '+5s', 'github.requests.count': '+10%', 'restarts.count': '+0' })).toEqual([]);
  });
});

describe('control_plane.* metrics and the provider', () => {
  const judged = 'thresholds:\n  - ready.not_ready == 0\n  - control_plane.kube-apiserver.memory.peak < 2Gi\nregression:\n  control_plane.etcd.cpu.avg: +50%\n';

  it('are taken where the control plane runs as processes of this machine (local)', () => {
    expect(problems(`name: s\nworkload: { apps: 1 }\n${judged}`)).toEqual([]);
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
