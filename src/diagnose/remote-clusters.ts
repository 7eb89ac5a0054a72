/**
 * Flux's remote-cluster mode: a Kustomization or HelmRelease with `spec.kubeConfig.secretRef`
 * applies to the cluster that Secret's kubeconfig names (a hub managing spokes). When that
 * cluster's API server does not answer, every object of the same Secret fails with a connection
 * error, and the root cause is that cluster, not any of the objects.
 */
import { formatDuration } from '../util/units.ts';
import type { RootCause, Symptom } from './schema.ts';
import { objectId, type RawObject } from './state.ts';

/**
 * The facts of a diagnosed object this module reads (a FluxNode has them); declared here so that
 * node.ts, which calls remoteClusterOf, is not imported back.
 */
interface RemoteNode {
  id: string;
  ready: string;
  readyReason?: string;
  suspended: boolean;
  readyMessage?: string;
  readySinceMs?: number;
  remoteCluster?: string;
}

/** `Secret/<namespace>/<name>` of the object's `spec.kubeConfig.secretRef`, when it has one. */
export function remoteClusterOf(object: RawObject): string | undefined {
  if (object.kind !== 'Kustomization' && object.kind !== 'HelmRelease') return undefined;
  const spec = (object as { spec?: { kubeConfig?: { secretRef?: { name?: unknown } } } }).spec;
  const name = spec?.kubeConfig?.secretRef?.name;
  return typeof name === 'string' && name ? objectId('Secret', object.metadata.namespace ?? '', name) : undefined;
}

/**
 * What Go's HTTP client and client-go say when an API server is gone (connection refused), frozen
 * (i/o or TLS handshake timeout, Client.Timeout) or restarting. A bare "context deadline exceeded"
 * is left out: a health check that times out says that too.
 */
const unreachablePattern =
  /connect: connection refused|dial tcp [^\s]+: (?:i\/o timeout|connect: no route to host)|TLS handshake timeout|Client\.Timeout exceeded|http2: client connection lost|the server is currently unable to handle the request|connection reset by peer|unexpected EOF/i;

/** Whether a controller's error says an API server does not answer (unreachablePattern). */
export function isUnreachableMessage(message: string): boolean {
  return unreachablePattern.test(message);
}

/** The API server address in the error (`https://127.0.0.1:PORT`; an API server speaks HTTPS). */
function addressIn(message: string): string | undefined {
  return /https:\/\/[^\s"/]+/.exec(message)?.[0];
}

/**
 * A remote-mode object first downloads its artifact from the hub's source-controller (plain
 * HTTP): a connection error there is the hub's, not the remote cluster's.
 */
function isArtifactFailure(node: RemoteNode): boolean {
  return node.readyReason === 'ArtifactFailed' || /failed to download|artifact/i.test(node.readyMessage ?? '');
}

/** The connection error and where, when `node` fails because its remote cluster does not answer. */
export function unreachableRemote(node: RemoteNode): { secret: string; address?: string; reason: string } | undefined {
  if (!node.remoteCluster || node.ready === 'True' || node.suspended || isArtifactFailure(node)) return undefined;
  const message = node.readyMessage ?? '';
  // What the hub's controller reached for must be an HTTPS API server, when the message names one.
  if (/http:\/\//.test(message) && !/https:\/\//.test(message)) return undefined;
  const reason = unreachablePattern.exec(message)?.[0];
  if (!reason) return undefined;
  const address = addressIn(message);
  return { secret: node.remoteCluster, ...(address ? { address } : {}), reason };
}

/** "the cluster of kubeConfig Secret spoke-02/kubeconfig at https://127.0.0.1:40123" */
function clusterText(found: { secret: string; address?: string }): string {
  const [, namespace, name] = found.secret.split('/');
  return `the cluster of kubeConfig Secret ${namespace}/${name}${found.address ? ` at ${found.address}` : ''}`;
}

/**
 * The symptom on each object whose remote cluster does not answer: stuck however young (every
 * retry fails the same way until that API server is back), with how many objects share it.
 */
export function remoteUnreachableSymptom(node: RemoteNode, nodes: ReadonlyMap<string, RemoteNode>, nowMs: number): Symptom | undefined {
  const found = unreachableRemote(node);
  if (!found) return undefined;
  let sharing = 0;
  for (const other of nodes.values()) if (unreachableRemote(other)?.secret === found.secret) sharing += 1;
  const since = node.readySinceMs !== undefined ? nowMs - node.readySinceMs : undefined;
  return {
    type: 'remote_cluster_unreachable',
    detail:
      `${clusterText(found)} does not answer (${found.reason})${since !== undefined ? ` for ${formatDuration(since)}` : ''}; ` +
      `${sharing} object(s) of that kubeconfig fail the same way: bring its API server back, or check the address and credentials in the Secret`,
    ...(since !== undefined ? { seconds: Math.round(since / 100) / 10 } : {}),
  };
}

/** The root cause of an object whose remote cluster does not answer: that cluster, named by its Secret. */
export function remoteClusterRoot(node: RemoteNode): RootCause | undefined {
  const found = unreachableRemote(node);
  if (!found) return undefined;
  return { type: 'object', id: found.secret, reason: 'RemoteClusterUnreachable', message: `${clusterText(found)} does not answer: ${found.reason}`, fluxObject: node.id };
}
