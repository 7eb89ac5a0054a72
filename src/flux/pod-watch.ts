import { execa } from 'execa';
import type { SampleSink } from '../metrics/sample.ts';
import type { ExitCause } from './supervisor.ts';

/** What one poll saw of the pod currently standing for a controller Deployment. */
export interface PodObservation {
  uid: string;
  name: string;
  ready: boolean;
  /** Restarts of the controller container inside this pod. */
  restartCount: number;
  /** Why the container last ended, from `lastState.terminated`. */
  lastTermination?: { reason?: string; exitCode?: number };
}

/** Why a pod changed, as far as the harness knows: it deleted it, or rolled out a new memory or CPU limit. */
export type PodChangeIntent = 'kill' | 'memory_limit' | 'cpu_limit';

/** One lifecycle event in the shape the host-process supervisor records them. */
export interface PodLifeEvent {
  name: 'start' | 'exit' | 'oom_killed' | 'restart';
  value?: number;
  detail: Record<string, unknown>;
}

interface PodList {
  items?: Array<{
    metadata?: { uid?: string; name?: string; creationTimestamp?: string; deletionTimestamp?: string; labels?: Record<string, string> };
    status?: {
      containerStatuses?: Array<{
        name?: string;
        ready?: boolean;
        restartCount?: number;
        lastState?: { terminated?: { reason?: string; exitCode?: number } };
      }>;
    };
  }>;
}

/**
 * The pod standing for each Deployment (pods carry `app: <deployment>`): of several (a
 * rollout), the newest one not being deleted. Deployments without a pod are absent.
 */
export function observePods(podListJson: string, container = 'manager'): Map<string, PodObservation> {
  const list = JSON.parse(podListJson) as PodList;
  const newest = new Map<string, { created: number; observation: PodObservation }>();
  for (const pod of list.items ?? []) {
    const app = pod.metadata?.labels?.app;
    if (!app || !pod.metadata?.uid || pod.metadata.deletionTimestamp) continue;
    const status = pod.status?.containerStatuses?.find((c) => c.name === container);
    const created = Date.parse(pod.metadata.creationTimestamp ?? '') || 0;
    const terminated = status?.lastState?.terminated;
    const observation: PodObservation = {
      uid: pod.metadata.uid,
      name: pod.metadata.name ?? '',
      ready: status?.ready ?? false,
      restartCount: status?.restartCount ?? 0,
      ...(terminated ? { lastTermination: { ...(terminated.reason ? { reason: terminated.reason } : {}), ...(terminated.exitCode !== undefined ? { exitCode: terminated.exitCode } : {}) } } : {}),
    };
    const seen = newest.get(app);
    if (!seen || created >= seen.created) newest.set(app, { created, observation });
  }
  return new Map([...newest].map(([app, v]) => [app, v.observation]));
}

/** A container's termination reason as the supervisor's exit cause. */
export function exitCauseOfReason(reason: string | undefined, intent?: PodChangeIntent): ExitCause {
  if (reason === 'OOMKilled') return 'OOMKilled';
  if (intent) return 'killed';
  if (reason === 'Completed') return 'exited';
  return 'crashed';
}

/**
 * The events between two observations of one Deployment's pod. `restarts` is the instance's
 * count so far; the result carries the new count. A container restart inside the same pod is
 * an exit (with the kubelet's reason: OOMKilled, Error, ...) and a restart; a new pod replacing
 * the old one is an exit (killed when the harness asked for it) and a start and a restart.
 */
export function podTransitions(
  previous: PodObservation | undefined,
  current: PodObservation | undefined,
  restarts: number,
  intent?: PodChangeIntent,
): { events: PodLifeEvent[]; restarts: number } {
  const events: PodLifeEvent[] = [];
  if (!current) return { events, restarts };
  if (!previous) {
    events.push({ name: 'start', detail: { pod: current.name, restarts } });
    return { events, restarts };
  }
  if (previous.uid === current.uid) {
    for (let i = previous.restartCount; i < current.restartCount; i++) {
      const cause = exitCauseOfReason(current.lastTermination?.reason, intent);
      const exit = { pod: current.name, cause, code: current.lastTermination?.exitCode ?? null, reason: current.lastTermination?.reason ?? 'unknown' };
      restarts++;
      events.push({ name: 'exit', detail: { ...exit, restarts } });
      if (cause === 'OOMKilled') events.push({ name: 'oom_killed', detail: exit });
      events.push({ name: 'restart', value: restarts, detail: { pod: current.name, previousCause: cause } });
    }
    return { events, restarts };
  }
  const cause: ExitCause = intent ? 'killed' : 'crashed';
  restarts++;
  events.push({ name: 'exit', detail: { pod: previous.name, cause, code: null, reason: intent ?? 'pod replaced', restarts } });
  events.push({ name: 'start', detail: { pod: current.name, restarts } });
  events.push({ name: 'restart', value: restarts, detail: { pod: current.name, previousCause: cause } });
  return { events, restarts };
}

export interface PodWatchTarget {
  deployment: string;
  labels: Record<string, string>;
}

export interface PodWatch {
  /** Says the next change of this Deployment's pod is the harness's doing. */
  expect(deployment: string, intent: PodChangeIntent): void;
  /** Restarts seen so far per Deployment. */
  restarts(deployment: string): number;
  /** One poll now (also done every interval). */
  poll(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Polls the controller pods and writes their starts, exits (with the kubelet's reason),
 * OOM kills and restarts as `process` samples, like the supervisor does for host processes, so
 * reports read the same on every provider.
 */
export function watchControllerPods(options: {
  kubectl: string;
  kubeconfigPath: string;
  namespace: string;
  targets: PodWatchTarget[];
  sink: SampleSink;
  intervalMs?: number;
}): PodWatch {
  const last = new Map<string, PodObservation>();
  const restarts = new Map<string, number>();
  const intents = new Map<string, PodChangeIntent>();
  let polling: Promise<void> | undefined;
  let stopped = false;
  const pollOnce = async (): Promise<void> => {
    const result = await execa(options.kubectl, ['-n', options.namespace, 'get', 'pods', '-l', 'app.kubernetes.io/part-of=flux', '-o', 'json', '--request-timeout=10s'], {
      env: { ...process.env, KUBECONFIG: options.kubeconfigPath },
      reject: false,
      timeout: 20_000,
    });
    if (result.exitCode !== 0) return; // the API server is paused or busy; the next poll catches up
    const observed = observePods(result.stdout);
    for (const target of options.targets) {
      const current = observed.get(target.deployment);
      if (!current) continue;
      const intent = intents.get(target.deployment);
      const { events, restarts: count } = podTransitions(last.get(target.deployment), current, restarts.get(target.deployment) ?? 0, intent);
      if (events.some((e) => e.name === 'exit')) intents.delete(target.deployment);
      last.set(target.deployment, current);
      restarts.set(target.deployment, count);
      for (const event of events) {
        options.sink.write({ ts: Date.now(), kind: 'process', name: event.name, ...(event.value !== undefined ? { value: event.value } : {}), labels: target.labels, detail: event.detail });
      }
    }
  };
  const poll = (): Promise<void> => {
    polling ??= pollOnce().finally(() => {
      polling = undefined;
    });
    return polling;
  };
  const timer = setInterval(() => {
    if (!stopped) void poll();
  }, options.intervalMs ?? 2_000);
  return {
    expect: (deployment, intent) => intents.set(deployment, intent),
    restarts: (deployment) => restarts.get(deployment) ?? 0,
    poll,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await polling;
    },
  };
}
