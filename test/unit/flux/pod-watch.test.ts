import { describe, expect, it } from 'vitest';
import { exitCauseOfReason, observePods, podKillArgs, podMemoryLimitArgs, podTransitions, type PodObservation } from '../../../src/flux/index.ts';

function pod(input: { app: string; uid: string; created: string; restarts?: number; reason?: string; exitCode?: number; deleting?: boolean; ready?: boolean }) {
  return {
    metadata: {
      uid: input.uid,
      name: `${input.app}-${input.uid}`,
      creationTimestamp: input.created,
      labels: { app: input.app, 'app.kubernetes.io/part-of': 'flux' },
      ...(input.deleting ? { deletionTimestamp: '2026-11-25T10:00:09Z' } : {}),
    },
    status: {
      containerStatuses: [
        {
          name: 'manager',
          ready: input.ready ?? true,
          restartCount: input.restarts ?? 0,
          ...(input.reason ? { lastState: { terminated: { reason: input.reason, exitCode: input.exitCode ?? 137 } } } : {}),
        },
      ],
    },
  };
}

describe('reading controller pods', () => {
  it('takes the newest pod per Deployment, skipping pods being deleted', () => {
    const list = {
      items: [
        pod({ app: 'source-controller', uid: 'a', created: '2026-11-25T10:00:00Z' }),
        pod({ app: 'source-controller', uid: 'b', created: '2026-11-25T10:00:05Z', ready: false }),
        pod({ app: 'kustomize-controller', uid: 'c', created: '2026-11-25T10:00:00Z', restarts: 2, reason: 'OOMKilled' }),
        pod({ app: 'kustomize-controller', uid: 'd', created: '2026-11-25T10:00:08Z', deleting: true }),
        { metadata: { uid: 'e', name: 'unlabelled' } },
      ],
    };
    const observed = observePods(JSON.stringify(list));
    expect([...observed.keys()].sort()).toEqual(['kustomize-controller', 'source-controller']);
    expect(observed.get('source-controller')).toEqual({ uid: 'b', name: 'source-controller-b', ready: false, restartCount: 0 });
    expect(observed.get('kustomize-controller')).toEqual({
      uid: 'c',
      name: 'kustomize-controller-c',
      ready: true,
      restartCount: 2,
      lastTermination: { reason: 'OOMKilled', exitCode: 137 },
    });
    expect(observePods('{"items":[]}').size).toBe(0);
  });

  it("maps the kubelet's reasons to the supervisor's exit causes", () => {
    expect(exitCauseOfReason('OOMKilled')).toBe('OOMKilled');
    expect(exitCauseOfReason('OOMKilled', 'kill')).toBe('OOMKilled');
    expect(exitCauseOfReason('Error')).toBe('crashed');
    expect(exitCauseOfReason('Error', 'kill')).toBe('killed');
    expect(exitCauseOfReason('Completed')).toBe('exited');
    expect(exitCauseOfReason(undefined)).toBe('crashed');
  });
});

describe('pod lifecycle events', () => {
  const first: PodObservation = { uid: 'a', name: 'sc-a', ready: true, restartCount: 0 };

  it('starts on the first pod, and says nothing while nothing changes or the pod is missing', () => {
    expect(podTransitions(undefined, first, 0)).toEqual({ events: [{ name: 'start', detail: { pod: 'sc-a', restarts: 0 } }], restarts: 0 });
    expect(podTransitions(first, first, 0)).toEqual({ events: [], restarts: 0 });
    expect(podTransitions(first, undefined, 3)).toEqual({ events: [], restarts: 3 });
  });

  it('turns container restarts inside one pod into exits with their reason, OOM kills and restarts', () => {
    const oom: PodObservation = { ...first, restartCount: 2, lastTermination: { reason: 'OOMKilled', exitCode: 137 } };
    const { events, restarts } = podTransitions(first, oom, 1);
    expect(restarts).toBe(3);
    expect(events.map((e) => [e.name, e.value, e.detail.cause ?? e.detail.previousCause])).toEqual([
      ['exit', undefined, 'OOMKilled'],
      ['oom_killed', undefined, 'OOMKilled'],
      ['restart', 2, 'OOMKilled'],
      ['exit', undefined, 'OOMKilled'],
      ['oom_killed', undefined, 'OOMKilled'],
      ['restart', 3, 'OOMKilled'],
    ]);
    expect(events[0]!.detail).toMatchObject({ code: 137, reason: 'OOMKilled', pod: 'sc-a' });
  });

  it('turns a replaced pod into an exit, a start and a restart: killed when the harness asked, crashed otherwise', () => {
    const next: PodObservation = { uid: 'b', name: 'sc-b', ready: false, restartCount: 0 };
    const asked = podTransitions(first, next, 0, 'kill');
    expect(asked.restarts).toBe(1);
    expect(asked.events.map((e) => [e.name, e.detail.cause ?? e.detail.previousCause, e.detail.pod])).toEqual([
      ['exit', 'killed', 'sc-a'],
      ['start', undefined, 'sc-b'],
      ['restart', 'killed', 'sc-b'],
    ]);
    expect(asked.events[0]!.detail.reason).toBe('kill');
    expect(podTransitions(first, next, 0, 'memory_limit').events[0]!.detail).toMatchObject({ cause: 'killed', reason: 'memory_limit' });
    expect(podTransitions(first, next, 4).events.map((e) => e.detail.cause ?? e.detail.previousCause)).toEqual(['crashed', undefined, 'crashed']);
  });
});

describe('pod faults as kubectl calls', () => {
  const instance = { namespace: 'flux-system', deployment: 'kustomize-controller-shard1' };

  it('kills like kill -9 by default (no grace period), and gracefully for other signals', () => {
    expect(podKillArgs(instance)).toEqual(['-n', 'flux-system', 'delete', 'pod', '-l', 'app=kustomize-controller-shard1', '--wait=false', '--grace-period=0', '--force']);
    expect(podKillArgs(instance, 'SIGTERM')).toEqual(['-n', 'flux-system', 'delete', 'pod', '-l', 'app=kustomize-controller-shard1', '--wait=false']);
  });

  it('sets a memory limit with a request that never exceeds it', () => {
    expect(podMemoryLimitArgs(instance, 256 * 1024 * 1024)).toEqual([
      '-n', 'flux-system', 'set', 'resources', 'deployment/kustomize-controller-shard1', '-c', 'manager', `--limits=memory=${256 * 1024 * 1024}`, `--requests=memory=${64 * 1024 * 1024}`,
    ]);
    expect(podMemoryLimitArgs(instance, 32 * 1024 * 1024).slice(-2)).toEqual([`--limits=memory=${32 * 1024 * 1024}`, `--requests=memory=${32 * 1024 * 1024}`]);
    expect(() => podMemoryLimitArgs(instance, 0)).toThrow(/positive whole number of bytes/);
  });
});
