import { quantityValue, type PlannedAction, type TimelineAction } from '../scenario/index.ts';
import { churnTarget, startChurn, type ChurnHandle } from '../workload/index.ts';
import { parseDuration } from '../util/units.ts';
import { globToRegExp } from '../util/glob.ts';
import type { ChaosTargets } from './targets.ts';

type Undo = () => Promise<void>;

export interface TimelineRun {
  /** Actions that started, failed or were skipped, in order, for the report. */
  readonly log: Array<{ at: number; label: string; outcome: 'started' | 'ended' | 'failed'; error?: string }>;
  /** Cancels what has not started and ends every effect still active (resumes paused components first). */
  stop(): Promise<void>;
}

function matchRepo(glob: string | undefined, fullName: string): boolean {
  if (!glob) return true;
  return globToRegExp(glob).test(fullName);
}

function faultSample(targets: ChaosTargets, name: 'start' | 'end', planned: PlannedAction, target: string, detail: Record<string, unknown> = {}): void {
  targets.sink.write({
    ts: Date.now(),
    kind: 'fault',
    name,
    labels: { fault: planned.label, target },
    detail: { action: planned.action.action, index: planned.index, ...detail },
  });
}

/** The running instances a controller action targets: all of them, the main one (shard 0) or shard N. */
function runningInstances(targets: ChaosTargets, controller: string, shard: number | undefined) {
  const instances = targets.flux.find(controller).filter((c) => shard === undefined || (shard === 0 ? !c.shard : c.shard === `shard${shard}`));
  if (instances.length === 0) throw new Error(`no running ${controller}${shard !== undefined ? ` shard ${shard}` : ''}`);
  return instances;
}

/** Starts one action; resolves with what ends its effect (undefined for instant actions). */
async function startAction(planned: PlannedAction, targets: ChaosTargets, churns: Map<string, ChurnHandle>): Promise<Undo | undefined> {
  const action: TimelineAction = planned.action;
  switch (action.action) {
    case 'churn.start': {
      const repos = targets.workload.repos.filter((r) => matchRepo(action.repo, r.fullName));
      for (const repo of repos) {
        const target = churnTarget(targets.workload, repo.fullName);
        if (target.apps.length === 0) continue;
        churns.get(repo.fullName)?.stop();
        churns.set(
          repo.fullName,
          startChurn({
            repo: target.repo,
            apps: target.apps,
            ...(action.apps ? { select: [action.apps] } : {}),
            rate: action.rate,
            ...(action.bytes !== undefined ? { bytesPerCommit: quantityValue(action.bytes) } : {}),
            maxCommits: action.maxCommits ?? 10_000,
            maxDuration: planned.endMs !== undefined ? planned.endMs - planned.atMs : 3_600_000,
            onCommit: targets.onCommit,
          }),
        );
      }
      return undefined;
    }
    case 'churn.stop': {
      for (const [name, handle] of churns) {
        if (!matchRepo(action.repo, name)) continue;
        await handle.stop();
        churns.delete(name);
      }
      return undefined;
    }
    case 'github.fault': {
      const match = { route: action.route ?? '*', repo: action.repo ?? '*' };
      const spec =
        action.fault === 'latency'
          ? { type: 'latency' as const, match, fixed: action.delay, jitter: action.jitter ?? 0 }
          : action.fault === 'errors'
            ? { type: 'error' as const, match, rate: action.rate, status: action.status }
            : action.fault === 'reset'
              ? { type: 'reset' as const, match, rate: action.rate }
              : action.fault === 'outage'
                ? { type: 'outage' as const, match, status: action.status }
                : { type: 'bandwidth' as const, match, bytesPerSecond: action.bytesPerSecond };
      const fault = targets.github.admin.addFault(spec);
      return async () => {
        targets.github.admin.removeFault(fault.id);
      };
    }
    case 'github.ratelimit': {
      const previous = targets.github.admin.rateLimits();
      const patch = {
        ...(action.window !== undefined ? { window: action.window } : {}),
        ...(action.limit !== undefined ? (action.identity === 'anonymous' ? { anonymous: action.limit } : { token: action.limit, installation: action.limit }) : {}),
      };
      targets.github.admin.setRateLimits(patch);
      if (action.remaining !== undefined) targets.github.admin.setRemaining(action.remaining, action.identity);
      return async () => {
        targets.github.admin.setRateLimits({ window: previous.window, token: previous.token, installation: previous.installation, anonymous: previous.anonymous });
      };
    }
    case 'controller.kill': {
      for (const c of runningInstances(targets, action.controller, action.shard)) await c.process.kill(action.signal);
      return undefined;
    }
    case 'controller.memoryLimit': {
      for (const c of runningInstances(targets, action.controller, action.shard)) await c.process.setMemoryLimit(quantityValue(action.limit));
      return undefined;
    }
    case 'component.pause': {
      const pids = await targets.cluster.componentPids();
      const pid = pids[action.component];
      if (pid === undefined) throw new Error(`${action.component} has no host process on provider ${targets.cluster.provider}`);
      process.kill(pid, 'SIGSTOP');
      return async () => {
        process.kill(pid, 'SIGCONT');
      };
    }
    case 'artifact.slow': {
      const proxy = targets.flux.artifactProxy;
      if (!proxy) throw new Error(`artifact.slow needs the host-process Flux of the local provider (provider ${targets.cluster.provider})`);
      const previous = proxy.limits();
      proxy.setLimits({
        ...(action.bytesPerSecond !== undefined ? { bytesPerSecond: quantityValue(action.bytesPerSecond) } : {}),
        ...(action.latency !== undefined ? { latencyMs: parseDuration(action.latency) } : {}),
      });
      return async () => proxy.setLimits(previous);
    }
    case 'object.delete': {
      await targets.kubectl(['delete', action.kind, action.name, ...(action.namespace ? ['-n', action.namespace] : []), '--ignore-not-found', '--wait=false']);
      return undefined;
    }
    case 'flux.suspend':
    case 'flux.resume': {
      // One named object, or every object of the kind (in one namespace, or in all).
      const refs = action.name
        ? [{ namespace: action.namespace ?? 'flux-system', name: action.name }]
        : (await targets.kubectl(['get', action.kind, ...(action.namespace ? ['-n', action.namespace] : ['-A']), '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}']))
            .split('\n')
            .filter(Boolean)
            .map((line) => ({ namespace: line.split('/')[0]!, name: line.split('/')[1]! }));
      const patch = JSON.stringify({ spec: { suspend: action.action === 'flux.suspend' } });
      await Promise.all(refs.map((ref) => targets.kubectl(['patch', action.kind, ref.name, '-n', ref.namespace, '--type=merge', '-p', patch])));
      return undefined;
    }
  }
}

/**
 * Runs a planned timeline against a live run: each action at its offset from `startedAt`, each
 * effect with a duration ended at its end time, every start and end recorded as a `fault`
 * sample so reports draw it as a band.
 */
export function runTimeline(planned: readonly PlannedAction[], targets: ChaosTargets, startedAt: number): TimelineRun {
  const log: TimelineRun['log'] = [];
  const timers = new Set<NodeJS.Timeout>();
  const active = new Map<number, Undo>();
  const churns = new Map<string, ChurnHandle>();
  let stopped = false;

  const end = async (p: PlannedAction): Promise<void> => {
    const undo = active.get(p.index);
    if (!undo) return;
    active.delete(p.index);
    try {
      await undo();
      faultSample(targets, 'end', p, targetOf(p.action));
      log.push({ at: Date.now(), label: p.label, outcome: 'ended' });
    } catch (err) {
      log.push({ at: Date.now(), label: p.label, outcome: 'failed', error: (err as Error).message });
    }
  };

  const schedule = (delayMs: number, fn: () => Promise<void>): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) void fn();
    }, Math.max(0, delayMs));
    timers.add(timer);
  };

  for (const p of planned) {
    schedule(startedAt + p.atMs - Date.now(), async () => {
      try {
        const undo = await startAction(p, targets, churns);
        faultSample(targets, 'start', p, targetOf(p.action), p.endMs !== undefined ? { endsInMs: p.endMs - p.atMs } : {});
        log.push({ at: Date.now(), label: p.label, outcome: 'started' });
        if (undo) {
          active.set(p.index, undo);
          if (p.endMs !== undefined) schedule(startedAt + p.endMs - Date.now(), () => end(p));
        } else if (p.action.action !== 'churn.start') {
          faultSample(targets, 'end', p, targetOf(p.action));
        }
      } catch (err) {
        log.push({ at: Date.now(), label: p.label, outcome: 'failed', error: (err as Error).message });
        targets.sink.write({ ts: Date.now(), kind: 'fault', name: 'failed', labels: { fault: p.label, target: targetOf(p.action) }, detail: { error: (err as Error).message } });
      }
    });
  }

  return {
    log,
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      // Paused components first: nothing else can be torn down while etcd is frozen.
      const pending = [...active.keys()].sort((a, b) => {
        const pa = planned.find((p) => p.index === a)?.action.action === 'component.pause' ? 0 : 1;
        const pb = planned.find((p) => p.index === b)?.action.action === 'component.pause' ? 0 : 1;
        return pa - pb;
      });
      for (const index of pending) {
        const p = planned.find((x) => x.index === index);
        if (p) await end(p);
      }
      await Promise.all([...churns.values()].map((c) => c.stop()));
      churns.clear();
    },
  };
}

/** What an action acts on, for the `target` label of its fault samples. */
export function targetOf(action: TimelineAction): string {
  switch (action.action) {
    case 'churn.start':
    case 'churn.stop':
      return action.repo ?? 'all repos';
    case 'github.fault':
      return action.repo ?? action.route ?? 'github';
    case 'github.ratelimit':
      return action.identity ?? 'all identities';
    case 'controller.kill':
    case 'controller.memoryLimit':
      return action.shard !== undefined ? `${action.controller}/shard${action.shard}` : action.controller;
    case 'component.pause':
      return action.component;
    case 'artifact.slow':
      return 'source-controller artifacts';
    case 'object.delete':
      return `${action.kind}/${action.namespace ? `${action.namespace}/` : ''}${action.name}`;
    case 'flux.suspend':
    case 'flux.resume':
      return `${action.kind}${action.name ? `/${action.name}` : ''}`;
  }
}
