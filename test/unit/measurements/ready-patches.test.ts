import { describe, expect, it } from 'vitest';
import { flatMetrics, analyzeSamples } from '../../../src/measurements/index.ts';
import { analyzePatches } from '../../../src/measurements/ready-patches.ts';
import { expectedReadySample } from '../../../src/metrics/index.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { specPatchedSample } from '../../../src/metrics/spec-patches.ts';
import { buildSummary, renderMarkdown, type RunMeta } from '../../../src/report/index.ts';

const T0 = Date.parse('2026-12-02T10:00:00.000Z');
const at = (seconds: number) => T0 + seconds * 1000;
const apps = ['Kustomization/apps/app-1', 'Kustomization/apps/app-2', 'Kustomization/apps/app-3'];

/** A run whose three apps were all Ready 20 s after the apply. */
function firstApply(): Sample[] {
  return [
    { ts: at(0), kind: 'phase', name: 'apply' },
    { ts: at(2), kind: 'phase', name: 'settle' },
    expectedReadySample(at(2), apps, []),
    ...apps.flatMap((id): Sample[] => {
      const [kind, namespace, name] = id.split('/') as [string, string, string];
      return [
        { ts: at(1), kind: 'ready', name: 'seen', labels: { kind, namespace, name } },
        { ts: at(20), kind: 'ready', name: 'ready', labels: { kind, namespace, name } },
      ];
    }),
  ];
}

const readyAt = (object: string, generation: number, seconds: number): Sample => ({ ts: at(seconds), kind: 'patch', name: 'ready', value: generation, labels: { object } });
/** A patch at `seconds` of each object from its generation before to the one after (the same twice: a patch that changed nothing). */
const patched = (seconds: number, generations: Array<[string, number, number]>) =>
  specPatchedSample(at(seconds), generations.map(([object, previousGeneration, generation]) => ({ object, previousGeneration, generation })), { action: 'flux.patch Kustomization' });

const meta: RunMeta = {
  runId: 'r',
  scenarioName: 's',
  scenarioPath: '/s.yaml',
  startedAt: new Date(at(-60)).toISOString(),
  endedAt: new Date(at(200)).toISOString(),
  status: 'passed',
  provider: 'local',
  versions: { flux: '2.9.5', kubernetes: '1.35.0' },
  thresholds: [],
};

describe('Ready again after spec changes (flux.patch)', () => {
  it('times each patch until every object it changed was Ready at its new generation', () => {
    const samples = [...firstApply(), patched(60, apps.map((a) => [a, 1, 2])), readyAt(apps[0]!, 2, 65), readyAt(apps[1]!, 2, 71.5), readyAt(apps[2]!, 2, 69)];
    const [patch] = analyzePatches(samples);
    expect(patch).toEqual({
      label: 'flux.patch Kustomization',
      patchedAt: at(60),
      changed: 3,
      unchanged: 0,
      superseded: 0,
      readyAgain: 3,
      allAfter: 11.5,
      slowest: [
        { object: apps[1], seconds: 11.5 },
        { object: apps[2], seconds: 9 },
        { object: apps[0], seconds: 5 },
      ],
      notReady: [],
    });
    const metrics = flatMetrics(analyzeSamples(samples));
    expect(metrics['ready.patch.all_after']).toBe(11.5);
    expect(metrics['ready.patch.not_ready']).toBe(0);
    // The first apply's time stays the first apply's.
    expect(metrics['ready.all_after']).toBe(20);
    expect(renderMarkdown(buildSummary(samples, meta))).toMatch(/## Ready again after spec changes \(flux\.patch\)[\s\S]*\| flux\.patch Kustomization \| \+1m after the apply \| 3 \| 0 \| 0 \| 3 \| 11\.5s \|/);
  });

  it('does not take Ready at a later generation for this one: that may be the change undone', () => {
    // app-3's patch is set back (a parent applying the field again: generation 3) before it was Ready at 2.
    const samples = [...firstApply(), patched(60, apps.map((a) => [a, 1, 2])), readyAt(apps[0]!, 2, 65), readyAt(apps[1]!, 2, 66), readyAt(apps[2]!, 3, 69)];
    const [patch] = analyzePatches(samples);
    expect(patch).toMatchObject({ changed: 3, readyAgain: 2, superseded: 0, notReady: [apps[2]] });
    expect(patch).not.toHaveProperty('allAfter');
  });

  it('leaves out objects a later flux.patch changed again before they were Ready, and times that one', () => {
    const samples = [
      ...firstApply(),
      patched(60, apps.map((a) => [a, 1, 2])),
      readyAt(apps[0]!, 2, 62),
      readyAt(apps[1]!, 2, 63),
      // app-3 is changed again at 70 s before it was Ready at 2, and is Ready at 3 at 75 s.
      patched(70, [[apps[2]!, 2, 3]]),
      readyAt(apps[2]!, 3, 75),
    ];
    const [first, second] = analyzePatches(samples);
    expect(first).toMatchObject({ changed: 2, superseded: 1, readyAgain: 2, allAfter: 3, notReady: [] });
    expect(second).toMatchObject({ changed: 1, superseded: 0, readyAgain: 1, allAfter: 5 });
    expect(flatMetrics(analyzeSamples(samples))['ready.patch.all_after']).toBe(5);
  });

  it('has no time while one object is not Ready at its new generation, and says how many', () => {
    const samples = [...firstApply(), patched(60, apps.map((a) => [a, 1, 2])), readyAt(apps[0]!, 2, 65), readyAt(apps[1]!, 2, 66)];
    const [patch] = analyzePatches(samples);
    expect(patch).toMatchObject({ changed: 3, readyAgain: 2, notReady: [apps[2]] });
    expect(patch).not.toHaveProperty('allAfter');
    const metrics = flatMetrics(analyzeSamples(samples));
    expect(metrics).not.toHaveProperty('ready.patch.all_after');
    expect(metrics['ready.patch.not_ready']).toBe(1);
  });

  it('does not time objects the patch left as they were, by their generation before and after it', () => {
    const samples = [
      ...firstApply(),
      patched(60, [[apps[0]!, 1, 2]]),
      readyAt(apps[0]!, 2, 64),
      // The same values again: app-1 stays at generation 2; app-2 was never changed at all.
      patched(90, [
        [apps[0]!, 2, 2],
        [apps[1]!, 1, 1],
      ]),
    ];
    const [first, second] = analyzePatches(samples);
    expect(first).toMatchObject({ changed: 1, unchanged: 0, superseded: 0, allAfter: 4 });
    expect(second).toMatchObject({ changed: 0, unchanged: 2, readyAgain: 0, notReady: [] });
    expect(second).not.toHaveProperty('allAfter');
    // The patch that changed nothing has nothing to time: the metric is the first's.
    expect(flatMetrics(analyzeSamples(samples))['ready.patch.all_after']).toBe(4);
  });

  it('tells a recreated object patched to generation 2 from an unchanged one, whatever its old generations', () => {
    // app-1 reached generation 3 and was Ready at it, then was deleted and made again (generation 1).
    const samples = [...firstApply(), readyAt(apps[0]!, 3, 30), patched(60, [[apps[0]!, 1, 2]]), readyAt(apps[0]!, 2, 66)];
    expect(analyzePatches(samples)[0]).toMatchObject({ changed: 1, unchanged: 0, readyAgain: 1, allAfter: 6 });
    // A stream from before the generation before the patch was recorded: generation 1 after it is unchanged.
    const older = { ...specPatchedSample(at(60), [{ object: apps[1]!, generation: 1 }, { object: apps[2]!, generation: 2 }]) };
    expect(analyzePatches([older, readyAt(apps[2]!, 2, 61)])[0]).toMatchObject({ changed: 1, unchanged: 1, allAfter: 1 });
  });

  it('writes no patch metric in a run without flux.patch', () => {
    const metrics = flatMetrics(analyzeSamples(firstApply()));
    expect(Object.keys(metrics).filter((name) => name.startsWith('ready.patch'))).toEqual([]);
  });
});
