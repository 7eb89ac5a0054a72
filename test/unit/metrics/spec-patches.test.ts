import { describe, expect, it } from 'vitest';
import { toSnapshot } from '../../../src/metrics/flux-objects.ts';
import { ReadinessLog } from '../../../src/metrics/ready-state.ts';
import { GenerationReadyLog, specPatchedSample } from '../../../src/metrics/spec-patches.ts';

/** A Kustomization as the watches see it: its generation, the one its controller last finished, and Ready. */
function kustomization(name: string, generation: number, observedGeneration: number | undefined, ready: 'True' | 'False' | 'Unknown') {
  return toSnapshot('Kustomization', {
    metadata: { namespace: 'apps', name, generation },
    spec: { interval: '60m' },
    status: { ...(observedGeneration !== undefined ? { observedGeneration } : {}), conditions: [{ type: 'Ready', status: ready, reason: 'x', message: '' }] },
  });
}

describe('GenerationReadyLog', () => {
  it('reads metadata.generation and status.observedGeneration into the snapshot', () => {
    expect(kustomization('a', 3, 2, 'True')).toMatchObject({ generation: 3, observedGeneration: 2 });
    expect(kustomization('a', 3, undefined, 'True')).not.toHaveProperty('observedGeneration');
  });

  it('writes one sample when an object is first seen Ready at a changed spec, none for its first spec', () => {
    const log = new GenerationReadyLog();
    // Generation 1 is every object's first spec: the ready/ready sample covers it.
    expect(log.observe(kustomization('a', 1, 1, 'True'), 1)).toEqual([]);
    // Patched: generation 2, still Ready at 1 until the controller gets to it.
    expect(log.observe(kustomization('a', 2, 1, 'True'), 2)).toEqual([]);
    expect(log.observe(kustomization('a', 2, 1, 'Unknown'), 3)).toEqual([]);
    // Finished but failed: observed, not Ready.
    expect(log.observe(kustomization('a', 2, 2, 'False'), 4)).toEqual([]);
    expect(log.observe(kustomization('a', 2, 2, 'True'), 5)).toEqual([{ ts: 5, kind: 'patch', name: 'ready', value: 2, labels: { object: 'Kustomization/apps/a' } }]);
    // The many updates after it at the same generation write nothing.
    expect(log.observe(kustomization('a', 2, 2, 'Unknown'), 6)).toEqual([]);
    expect(log.observe(kustomization('a', 2, 2, 'True'), 7)).toEqual([]);
    expect(log.observe(kustomization('a', 3, 3, 'True'), 8)).toEqual([{ ts: 8, kind: 'patch', name: 'ready', value: 3, labels: { object: 'Kustomization/apps/a' } }]);
  });

  it('starts afresh for an object deleted and made again under its name, through ReadinessLog', () => {
    const log = new ReadinessLog();
    const patchSamples = (ts: number, generation: number) => log.observe(kustomization('b', generation, generation, 'True'), ts).filter((s) => s.kind === 'patch');
    expect(patchSamples(1, 2)).toHaveLength(1);
    expect(patchSamples(2, 2)).toHaveLength(0);
    log.remove('Kustomization/apps/b', 3);
    expect(patchSamples(4, 2)).toHaveLength(1);
  });

  it('records a patch with each object and its generations before and after it', () => {
    const objects = [{ object: 'Kustomization/apps/a', previousGeneration: 1, generation: 2 }, { object: 'Kustomization/apps/b' }];
    expect(specPatchedSample(10, objects, { action: 'flux.patch Kustomization' })).toEqual({
      ts: 10,
      kind: 'patch',
      name: 'patched',
      value: 2,
      labels: { action: 'flux.patch Kustomization' },
      detail: { objects },
    });
  });

  it('starts afresh for an object made again under its name that the watches never saw deleted', () => {
    const log = new GenerationReadyLog();
    const made = (createdAt: string) =>
      toSnapshot('Kustomization', {
        metadata: { namespace: 'apps', name: 'c', generation: 2, creationTimestamp: createdAt },
        status: { observedGeneration: 2, conditions: [{ type: 'Ready', status: 'True' }] },
      });
    expect(log.observe(made('2026-12-02T10:00:00Z'), 1)).toHaveLength(1);
    expect(log.observe(made('2026-12-02T10:00:00Z'), 2)).toHaveLength(0);
    expect(log.observe(made('2026-12-02T10:05:00Z'), 3)).toHaveLength(1);
  });
});
