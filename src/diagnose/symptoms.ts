import { formatDuration } from '../util/units.ts';
import type { FluxNode } from './node.ts';
import type { DiagnoseOptions } from './options.ts';
import { isRegistryRateLimited, registryRateLimitDetail, type PullIdentity } from './registry-pulls.ts';
import { remoteUnreachableSymptom } from './remote-clusters.ts';
import type { Symptom } from './schema.ts';

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

/** The source revision an applier should be at, when it can be compared with what it applied. */
export function expectedRevision(node: FluxNode, nodes: ReadonlyMap<string, FluxNode>): { source: FluxNode; revision: string } | undefined {
  if (!node.sourceRef) return undefined;
  const source = nodes.get(node.sourceRef);
  if (!source?.artifactRevision) return undefined;
  // A HelmRelease's applied revision is a chart version, comparable only with a HelmChart's artifact.
  if (node.kind === 'HelmRelease' && source.kind !== 'HelmChart') return undefined;
  if (node.kind !== 'Kustomization' && node.kind !== 'HelmRelease') return undefined;
  return { source, revision: source.artifactRevision };
}

/** Symptoms visible on one object by itself (graph-level ones, cycles and missing dependencies, are added by the caller). */
export function nodeSymptoms(
  node: FluxNode,
  nodes: ReadonlyMap<string, FluxNode>,
  nowMs: number,
  options: DiagnoseOptions,
): Symptom[] {
  if (node.suspended) return [];
  const symptoms: Symptom[] = [];
  const interval = node.intervalMs ?? options.defaultIntervalMs;
  const readyFor = node.readySinceMs !== undefined ? nowMs - node.readySinceMs : undefined;

  if (node.stalled) {
    symptoms.push({ type: 'stalled', detail: `Stalled (${node.stalled.reason}): ${node.stalled.message}` });
  }
  const cloneTimeout = cloneTimeoutSymptom(node);
  if (cloneTimeout) symptoms.push(cloneTimeout);
  const rateLimited = registryRateLimitSymptom(node, nodes);
  if (rateLimited) symptoms.push(rateLimited);
  const remote = remoteUnreachableSymptom(node, nodes, nowMs);
  if (remote) symptoms.push(remote);

  if (node.ready === 'False' && readyFor !== undefined && readyFor > interval) {
    const type = node.readyReason === 'DependencyNotReady' ? 'dependency_not_ready' : 'failing';
    symptoms.push({
      type,
      detail: `not Ready for ${formatDuration(readyFor)} (interval ${formatDuration(interval)}): ${node.readyReason ?? 'no reason'}`,
      seconds: seconds(readyFor),
    });
  }

  const progressLimit = interval * options.staleIntervals;
  if (node.ready === 'Unknown' && readyFor !== undefined && readyFor > progressLimit) {
    symptoms.push({
      type: 'stale_progress',
      detail: `Ready=Unknown (${node.readyReason ?? 'no reason'}) for ${formatDuration(readyFor)}, over ${options.staleIntervals} intervals`,
      seconds: seconds(readyFor),
    });
  }
  if (node.ready === 'None' && node.createdMs !== undefined && nowMs - node.createdMs > progressLimit) {
    symptoms.push({
      type: 'stale_progress',
      detail: `never reconciled: no Ready condition ${formatDuration(nowMs - node.createdMs)} after creation`,
      seconds: seconds(nowMs - node.createdMs),
    });
  }

  const midReconcile = node.ready === 'Unknown' && (readyFor === undefined || readyFor <= interval);
  if (
    node.lastAttemptedRevision &&
    node.lastAppliedRevision &&
    node.lastAttemptedRevision !== node.lastAppliedRevision &&
    !midReconcile
  ) {
    symptoms.push({
      type: 'attempted_ne_applied',
      detail: `attempted ${node.lastAttemptedRevision} but last applied ${node.lastAppliedRevision}`,
    });
  }

  const expected = expectedRevision(node, nodes);
  if (node.ready === 'True' && expected && node.lastAppliedRevision && node.lastAppliedRevision !== expected.revision) {
    const behind = expected.source.artifactUpdatedMs !== undefined ? nowMs - expected.source.artifactUpdatedMs : undefined;
    if (behind === undefined || behind > options.graceMs) {
      symptoms.push({
        type: 'stale_revision',
        detail: `Ready at ${node.lastAppliedRevision} while ${expected.source.id} serves ${expected.revision}${behind !== undefined ? ` since ${formatDuration(behind)} ago` : ''}`,
        ...(behind !== undefined ? { seconds: seconds(behind) } : {}),
      });
    }
  }

  if (node.requestedAt && node.requestedAt !== node.lastHandledReconcileAt) {
    const requestedMs = requestTime(node.requestedAt);
    if (requestedMs !== undefined && nowMs - requestedMs > options.graceMs) {
      symptoms.push({
        type: 'reconcile_request_unhandled',
        detail: `reconcile requested at ${node.requestedAt} not handled after ${formatDuration(nowMs - requestedMs)} (last handled: ${node.lastHandledReconcileAt ?? 'never'})`,
        seconds: seconds(nowMs - requestedMs),
      });
    }
  }
  return symptoms;
}

const timeoutMessage = /context deadline exceeded|timed? ?out\b|timeout/i;

/**
 * A GitRepository whose clone hit spec.timeout ("context deadline exceeded"): it fails the same
 * way on every attempt until the clone gets faster or the timeout longer, so it is stuck however
 * young. Diagnose cannot see how long the clone takes; the run's report can (github fetch times).
 */
function cloneTimeoutSymptom(node: FluxNode): Symptom | undefined {
  if (node.kind !== 'GitRepository' || node.ready !== 'False' || node.timeoutMs === undefined) return undefined;
  if (!timeoutMessage.test(node.readyMessage ?? '')) return undefined;
  return {
    type: 'clone_timeout',
    detail:
      `clone timed out after ${formatDuration(node.timeoutMs)} (spec.timeout): raise spec.timeout above how long a clone takes; ` +
      'keep large files out of what it clones (spec.ignore and spec.sparseCheckout shrink the artifact, not the clone); ' +
      'a branch or tag ref clones at depth 1, a pinned commit its whole history',
  };
}

/** Who `node` pulls as: its own identity, or a HelmChart's, that of the OCI HelmRepository it pulls through. */
function pullIdentity(node: FluxNode, nodes: ReadonlyMap<string, FluxNode>): PullIdentity | undefined {
  if (node.pullIdentity) return node.pullIdentity;
  return node.kind === 'HelmChart' && node.sourceRef ? nodes.get(node.sourceRef)?.pullIdentity : undefined;
}

/**
 * An OCI source the registry's pull limit refused (429 TOOMANYREQUESTS): every attempt fails
 * until the window resets, and sources pulling with the same credentials share the quota, so it
 * is stuck however young. Says which registry and credentials, and the fixes.
 */
function registryRateLimitSymptom(node: FluxNode, nodes: ReadonlyMap<string, FluxNode>): Symptom | undefined {
  if (node.ready !== 'False' || !isRegistryRateLimited(node.readyMessage)) return undefined;
  const identity = pullIdentity(node, nodes);
  if (!identity) return undefined;
  let sharing = 0;
  for (const other of nodes.values()) {
    if (other.pullIdentity?.host === identity.host && other.pullIdentity.credentials === identity.credentials) sharing += 1;
  }
  return { type: 'registry_rate_limited', detail: registryRateLimitDetail(identity, sharing) };
}

/** `flux reconcile` writes RFC 3339; other tools write Unix seconds. */
function requestTime(value: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
