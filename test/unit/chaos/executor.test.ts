import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTimeline, runTimeline, timelineActionSchema, type ChaosContext, type ChaosTargets } from '../../../src/chaos/index.ts';
import { SupervisedProcess, type RunningController } from '../../../src/flux/index.ts';
import { startFakeGitHub, type StartedFakeGitHub } from '../../../src/github/index.ts';
import type { Sample } from '../../../src/metrics/sample.ts';

const context: ChaosContext = { durationMs: 60_000, controllers: ['source-controller', 'kustomize-controller'], shards: {} };

async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

/** The parts of a live run these actions reach; the rest is never touched by them. */
function targetsWith(parts: { github?: StartedFakeGitHub; controllers?: RunningController[] }, samples: Sample[]): ChaosTargets {
  const controllers = parts.controllers ?? [];
  return {
    github: parts.github,
    flux: { controllers, find: (name: string) => controllers.filter((c) => c.controller === name || c.id === name) },
    sink: { write: (sample: Sample) => samples.push(sample) },
  } as unknown as ChaosTargets;
}

const faultSamples = (samples: Sample[]) => samples.filter((s) => s.kind === 'fault').map((s) => [s.name, s.labels?.fault, s.labels?.target]);

describe('runTimeline against a real fake GitHub', () => {
  let gh: StartedFakeGitHub;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fb-chaos-'));
    gh = await startFakeGitHub({ storageRoot: join(dir, 'storage') });
  });

  afterAll(async () => {
    await gh?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds a github.fault without an end of its own, removes it at its planned end, and draws it as a band', async () => {
    const samples: Sample[] = [];
    const timeline = [timelineActionSchema.parse({ at: 0, action: 'github.fault', fault: 'latency', delay: '50ms', repo: 'acme/app', duration: '300ms' })];
    const run = runTimeline(planTimeline(timeline, context), targetsWith({ github: gh }, samples), Date.now());
    await until(() => gh.admin.faults().length === 1, 2_000);
    const [fault] = gh.admin.faults();
    // The timeline ends it, not a timer of the fake GitHub's: no `until`.
    expect(fault!.until).toBeUndefined();
    expect(fault!.spec).toMatchObject({ type: 'latency', match: { route: '*', repo: 'acme/app' }, fixed: '50ms' });
    await until(() => gh.admin.faults().length === 0, 2_000);
    await until(() => samples.length >= 2, 1_000);
    expect(faultSamples(samples)).toEqual([
      ['start', 'github.fault latency', 'acme/app'],
      ['end', 'github.fault latency', 'acme/app'],
    ]);
    expect(run.log.map((entry) => entry.outcome)).toEqual(['started', 'ended']);
    await run.stop();
  });

  it('ends effects that last until the end of the run when the timeline stops', async () => {
    const samples: Sample[] = [];
    const timeline = [timelineActionSchema.parse({ at: 0, action: 'github.fault', fault: 'outage' })];
    const run = runTimeline(planTimeline(timeline, context), targetsWith({ github: gh }, samples), Date.now());
    await until(() => gh.admin.faults().length === 1, 2_000);
    await run.stop();
    expect(gh.admin.faults()).toEqual([]);
    expect(faultSamples(samples)).toEqual([
      ['start', 'github.fault outage', 'github'],
      ['end', 'github.fault outage', 'github'],
    ]);
  });
});

describe('runTimeline against controllers', () => {
  it('records an action that cannot be applied as failed and goes on with the timeline', async () => {
    const samples: Sample[] = [];
    const timeline = [
      timelineActionSchema.parse({ at: 0, action: 'controller.kill', controller: 'source-controller' }),
      timelineActionSchema.parse({ at: '50ms', action: 'controller.cpuLimit', controller: 'kustomize-controller', cores: 0.5 }),
    ];
    const run = runTimeline(planTimeline(timeline, context), targetsWith({}, samples), Date.now());
    await until(() => run.log.length === 2, 2_000);
    await run.stop();
    expect(run.log.map((entry) => [entry.label, entry.outcome, entry.error])).toEqual([
      ['controller.kill source-controller', 'failed', 'no running source-controller'],
      ['controller.cpuLimit kustomize-controller', 'failed', 'no running kustomize-controller'],
    ]);
    expect(faultSamples(samples)).toEqual([
      ['failed', 'controller.kill source-controller', 'source-controller'],
      ['failed', 'controller.cpuLimit kustomize-controller', 'kustomize-controller'],
    ]);
  });

  // Writing cgroups needs root; as root, a machine without a cgroup cpu controller fails the test.
  it.skipIf(process.getuid?.() !== 0)('controller.cpuLimit caps a real supervised process for its duration, then lifts the cap (needs root and a cgroup cpu controller)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-chaos-cpu-'));
    const proc = new SupervisedProcess({
      id: 'kustomize-controller',
      labels: { controller: 'kustomize-controller' },
      command: 'sleep',
      args: ['30'],
      env: process.env,
      logFile: join(dir, 'sleep.log'),
      cgroupGroup: `unit-chaos-${process.pid}`,
      sink: { write: () => undefined },
    });
    await proc.start();
    const samples: Sample[] = [];
    const controller = { controller: 'kustomize-controller', id: 'kustomize-controller', metricsUrl: 'http://127.0.0.1:1/metrics', process: proc } as RunningController;
    const timeline = [timelineActionSchema.parse({ at: 0, action: 'controller.cpuLimit', controller: 'kustomize-controller', cores: 0.5, duration: '400ms' })];
    const run = runTimeline(planTimeline(timeline, context), targetsWith({ controllers: [controller] }, samples), Date.now());
    try {
      await until(() => run.log.length === 1, 5_000);
      expect(run.log[0]).toMatchObject({ outcome: 'started' });
      const cpuPath = proc.cgroupPaths.at(-1)!;
      const quota = () =>
        existsSync(join(cpuPath, 'cpu.max'))
          ? readFileSync(join(cpuPath, 'cpu.max'), 'utf8').trim()
          : `${readFileSync(join(cpuPath, 'cpu.cfs_quota_us'), 'utf8').trim()} ${readFileSync(join(cpuPath, 'cpu.cfs_period_us'), 'utf8').trim()}`;
      expect(quota()).toBe('50000 100000');
      await until(() => run.log.length === 2, 5_000);
      expect(run.log[1]).toMatchObject({ outcome: 'ended' });
      expect(['-1 100000', 'max 100000']).toContain(quota());
      expect(faultSamples(samples)).toEqual([
        ['start', 'controller.cpuLimit kustomize-controller', 'kustomize-controller'],
        ['end', 'controller.cpuLimit kustomize-controller', 'kustomize-controller'],
      ]);
    } finally {
      await run.stop();
      await proc.stop(500);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
