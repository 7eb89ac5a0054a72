import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSizingSpec, parseMemoryLimit, parseSizingSpec, planSweep } from '../../../src/sizing/index.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';

const inlineBase = { workload: { layout: 'monorepo', teams: 1, apps: 2 } };

function errorOf(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('sizing spec', () => {
  it('loads the shipped scenarios/sizing.yaml with the sweep of the brief', () => {
    const spec = loadSizingSpec(resolve('scenarios/sizing.yaml'));
    expect(spec.sweep).toEqual({ apps: [50, 200, 500, 1000], interval: ['1m', '5m'], concurrency: [4, 10], shards: [1] });
    expect(spec.headroom).toBe(1.3);
    expect(spec.duration).toBe('3m');
    expect(spec.targets.lagP95).toBe('60s');
    expect(planSweep(spec)).toHaveLength(16);
  });

  it('applies defaults to a minimal spec', () => {
    const spec = parseSizingSpec({ base: inlineBase, sweep: { apps: [2] } });
    expect(spec.sweep).toEqual({ apps: [2], interval: ['5m'], concurrency: [4], shards: [1] });
    expect(spec).toMatchObject({ name: 'sizing', headroom: 1.3, duration: '3m', churn: { rate: 0.2, maxCommits: 60 }, stopOnFailure: false });
    expect(spec.base).toMatchObject({ name: 'sizing', workload: { apps: 2 } });
  });

  it('names the field of each problem', () => {
    const message = errorOf(() =>
      parseSizingSpec({ base: inlineBase, sweep: { apps: [], concurrency: [0], interval: ['soon'] }, headroom: 0.5 }, 'my.yaml'),
    ).message;
    expect(message).toContain('my.yaml: sweep.apps: must list at least one value');
    expect(message).toMatch(/my\.yaml: sweep\.concurrency\[0\]: must be at least 1/);
    expect(message).toMatch(/my\.yaml: sweep\.interval\[0\]: invalid duration "soon"/);
    expect(message).toContain('my.yaml: headroom: must be at least 1');
  });

  it('rejects unknown keys, repeated values and a wrong kind', () => {
    expect(errorOf(() => parseSizingSpec({ base: inlineBase, sweep: { apps: [2], app: [3] } })).message).toMatch(/sweep.*app/);
    expect(errorOf(() => parseSizingSpec({ base: inlineBase, sweep: { apps: [2, 2] } })).message).toContain('sweep.apps: values must not repeat');
    expect(errorOf(() => parseSizingSpec({ kind: 'Scenario', base: inlineBase, sweep: { apps: [2] } })).message).toContain('kind: expected "SizingSpec"');
    expect(errorOf(() => parseSizingSpec({ sweep: { apps: [2] } })).message).toContain('base: expected the path of a scenario file or inline scenario fields');
  });

  it('reads a base scenario file relative to the spec, and reports a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-sizing-spec-'));
    const specFile = join(dir, 'sweep.yaml');
    writeFileSync(specFile, `base: ${resolve('scenarios/smoke.yaml')}\nsweep: { apps: [3, 6] }\n`);
    const spec = loadSizingSpec(specFile);
    expect(spec.baseSource).toBe(resolve('scenarios/smoke.yaml'));
    expect(spec.base).toMatchObject({ name: 'smoke', workload: { layout: 'monorepo' } });
    writeFileSync(specFile, 'base: nowhere.yaml\nsweep: { apps: [3] }\n');
    expect(errorOf(() => loadSizingSpec(specFile)).message).toContain(`base: cannot read scenario file ${join(dir, 'nowhere.yaml')}`);
    expect(errorOf(() => loadSizingSpec(join(dir, 'absent.yaml'))).message).toContain('cannot read the sizing spec');
  });

  it('reports a base the scenario schema refuses, with the field and its allowed values', () => {
    const spec = parseSizingSpec({ base: { workload: { layout: 'mono', apps: 2 } }, sweep: { apps: [2] } }, 'bad.yaml');
    const message = errorOf(() => planSweep(spec)).message;
    expect(message).toContain('sizing-a2-i5m-c4');
    expect(message).toContain('workload.layout');
    expect(message).toContain('monorepo');
  });

  it('parses memory limits as Kubernetes quantities', () => {
    expect(parseMemoryLimit('1Gi')).toBe(1024 ** 3);
    expect(parseMemoryLimit('512Mi')).toBe(512 * 1024 ** 2);
    expect(() => parseMemoryLimit('lots')).toThrow(/--memory-limit: "lots" is not a memory quantity/);
    expect(() => parseMemoryLimit('0')).toThrow(UsageError);
  });
});
