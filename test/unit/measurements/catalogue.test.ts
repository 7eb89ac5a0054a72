import { describe, expect, it } from 'vitest';
import { catalogue, findMetric, metricFamilies, placeholderName } from '../../../src/measurements/catalogue.ts';
import { limitUnitProblem, metricProblem, nearestMetric } from '../../../src/measurements/catalogue-check.ts';
import { measurements, parseMetricValue } from '../../../src/measurements/index.ts';
import { metricFamilies as scenarioFamilies } from '../../../src/scenario/index.ts';

const patterns = (name: string) => findMetric(name).map((e) => e.pattern);

describe('the metric catalogue', () => {
  it('is well formed: unique patterns, literal first segments, every placeholder described, one-line descriptions', () => {
    const all = catalogue();
    expect(new Set(all.map((e) => e.pattern)).size).toBe(all.length);
    for (const entry of all) {
      const segments = entry.pattern.split('.');
      expect(placeholderName(segments[0]!), entry.pattern).toBeUndefined();
      for (const segment of segments) {
        const name = placeholderName(segment);
        if (name === undefined) {
          expect(segment, entry.pattern).toMatch(/^[a-z0-9_-]+$/);
          continue;
        }
        const spec = entry.placeholders?.[name];
        expect(spec, `${entry.pattern} describes <${name}>`).toBeDefined();
        expect(spec!.values !== undefined || spec!.free !== undefined).toBe(true);
      }
      expect(entry.description).not.toMatch(/\n/);
      expect(entry.description.length).toBeGreaterThan(10);
    }
  });

  it('is contributed by the registered measurements, each entry tagged with its measurement', () => {
    expect(catalogue().length).toBe(measurements.reduce((n, m) => n + m.catalogue.length, 0));
    expect(patterns('lag.applied.p95')).toEqual(['lag.<stage>.p95']);
    expect(findMetric('lag.applied.p95')[0]!.measurement).toBe('lag');
    expect(findMetric('goroutines.helm-controller.max')[0]).toMatchObject({ measurement: 'go-process', unit: 'count', aggregation: 'max' });
  });

  it('matches concrete names, shard instances and controllers it has no list of', () => {
    expect(patterns('memory.kustomize-controller-shard1.max')).toEqual(['memory.<controller>.max']);
    expect(patterns('memory.image-automation-controller.last')).toEqual(['memory.<controller>.last']);
    expect(patterns('restarts.count')).toEqual(['restarts.count']);
    expect(patterns('lag.aplied.p95')).toEqual([]);
    expect(patterns('lag.applied.p90')).toEqual([]);
    expect(patterns('memory.Source.max')).toEqual([]);
    expect(patterns('memory.a.b.max')).toEqual([]);
  });

  it('matches globs to every entry they can stand for, a * never crossing a dot', () => {
    expect(patterns('memory.*.max')).toEqual(['memory.<controller>.max']);
    expect(patterns('memory.kustomize-controller*.max')).toEqual(['memory.<controller>.max']);
    expect(patterns('lag.*.p95')).toEqual(['lag.<stage>.p95', 'lag.controllers.p95']);
    expect(patterns('lag.a*.count')).toEqual(['lag.<stage>.count']);
    expect(patterns('lag.x*.count')).toEqual([]);
    expect(patterns('*.*.max')).toEqual(expect.arrayContaining(['memory.<controller>.max', 'cpu.<controller>.max', 'lag.<stage>.max', 'etcd.db_bytes.max', 'fds.<controller>.max']));
    expect(patterns('*.*.max')).not.toContain('restarts.count');
    expect(patterns('github.quota.*')).toHaveLength(4);
    expect(patterns('memory.*')).toEqual([]);
  });

  it('derives the metric families the scenario package still exports', () => {
    expect(metricFamilies()).toEqual(['memory', 'cpu', 'queue', 'reconcile', 'restarts', 'oom', 'lag', 'github', 'registry', 'stalled', 'api', 'etcd', 'apf', 'control_plane', 'objects', 'ready', 'goroutines', 'fds', 'workers', 'fleet', 'harness']);
    expect(scenarioFamilies).toEqual(metricFamilies());
  });
});

describe('checking names and limits against the catalogue', () => {
  it('suggests the nearest catalogue name, keeping the controller and glob the user wrote', () => {
    expect(metricProblem('lag.aplied.p95')).toBe('unknown metric "lag.aplied.p95"; did you mean "lag.applied.p95"?');
    expect(nearestMetric('memroy.kustomize-controller-shard2.max')).toBe('memory.kustomize-controller-shard2.max');
    expect(nearestMetric('mem.*.max')).toBe('memory.*.max');
    expect(nearestMetric('stalled.counts')).toBe('stalled.count');
    expect(nearestMetric('completely.unrelated.thing')).toBeUndefined();
    expect(metricProblem('lag.applied.p95')).toBeUndefined();
    expect(metricProblem('*.*.max')).toBeUndefined();
  });

  it('fits limits to units: durations or plain seconds for seconds, quantities or numbers for bytes, numbers for counts, 0 for anything', () => {
    const problem = (name: string, limit: string) => limitUnitProblem(name, parseMetricValue(limit));
    expect(problem('memory.source-controller.max', '30s')).toMatch(/is measured in bytes, but the limit 30s is a duration/);
    expect(problem('memory.source-controller.max', '768Mi')).toBeUndefined();
    expect(problem('memory.source-controller.max', '1G')).toBeUndefined();
    expect(problem('lag.applied.p95', '90s')).toBeUndefined();
    expect(problem('lag.applied.p95', '90')).toBeUndefined();
    expect(problem('lag.applied.p95', '90%')).toMatch(/measured in seconds, but the limit 90% is a percentage/);
    expect(problem('lag.applied.p95', '0')).toBeUndefined();
    expect(problem('github.status_429.count', '5%')).toMatch(/is a count, but the limit 5% is a percentage/);
    expect(problem('cpu.*.avg', '0.25')).toBeUndefined();
    expect(problem('cpu.*.avg', '250ms')).toMatch(/measured in cores/);
    // A glob across units passes when the limit fits one of them.
    expect(problem('*.*.max', '1Gi')).toBeUndefined();
    expect(problem('no.such.metric', '1Gi')).toBeUndefined();
  });
});
