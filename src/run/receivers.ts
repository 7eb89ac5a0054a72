import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StartedFlux } from '../flux/index.ts';
import { ExitCode, FluxbenchError } from '../util/exit-codes.ts';
import type { GeneratedWorkload } from '../workload/index.ts';

export interface ReceiverTarget {
  /** GitRepository it reconciles. */
  namespace: string;
  name: string;
  /** `owner/repo` whose pushes trigger it. */
  repo: string;
}

/**
 * `name` as a DNS label (at most 63 characters): as it is when it fits, else cut and suffixed with
 * 8 hex of the sha256 of `key`, so two long names that share a prefix stay apart.
 */
export function boundedObjectName(name: string, key: string): string {
  if (name.length <= 63) return name;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return `${name.slice(0, 54).replace(/-+$/, '')}-${hash}`;
}

/** A Receiver name for a GitRepository: readable, unique across namespaces, a DNS label. */
export function receiverName(target: Pick<ReceiverTarget, 'namespace' | 'name'>): string {
  return boundedObjectName(`gh-${target.namespace}-${target.name}`, `${target.namespace}/${target.name}`);
}

/**
 * One Flux Receiver per GitRepository, as Flux documents it for GitHub: each repository's push
 * webhook reconciles only its own GitRepository (one Receiver listing them all would have every
 * push refetch every repository).
 */
export function receiverManifests(input: { namespace: string; secret: string; targets: ReceiverTarget[] }): string {
  return [
    `apiVersion: v1\nkind: Secret\nmetadata: {name: fluxbench-webhook-token, namespace: ${input.namespace}}\nstringData: {token: ${input.secret}}\n`,
    ...input.targets.map((t) =>
      [
        'apiVersion: notification.toolkit.fluxcd.io/v1',
        'kind: Receiver',
        `metadata: {name: ${receiverName(t)}, namespace: ${input.namespace}, annotations: {fluxbench.io/repo: "${t.repo}"}}`,
        'spec:',
        '  type: github',
        '  events: ["ping", "push"]',
        '  secretRef: {name: fluxbench-webhook-token}',
        '  resources:',
        `    - {apiVersion: source.toolkit.fluxcd.io/v1, kind: GitRepository, name: ${t.name}, namespace: ${t.namespace}}`,
        '',
      ].join('\n'),
    ),
  ].join('---\n');
}

/** The GitRepositories of a workload with the repository each serves. */
export function receiverTargets(workload: Pick<GeneratedWorkload, 'fluxObjects'>): ReceiverTarget[] {
  return workload.fluxObjects
    .filter((o) => o.kind === 'GitRepository' && o.sourceRepo)
    .map((o) => ({ namespace: o.namespace, name: o.name, repo: o.sourceRepo! }));
}

/**
 * Creates the Receivers and waits for each to publish its webhook path; returns the fake
 * GitHub's webhook targets: one repository webhook per Receiver.
 */
export async function installReceivers(input: {
  kubectl: (args: string[], stdin?: string) => Promise<string>;
  flux: Pick<StartedFlux, 'receiverUrl'>;
  workload: Pick<GeneratedWorkload, 'fluxObjects'>;
  namespace: string;
  timeoutMs?: number;
}): Promise<Array<{ url: string; secret: string; repos: string[] }>> {
  if (!input.flux.receiverUrl) throw new FluxbenchError('notification.receivers needs notification-controller (controllers.notification.enabled: true)', ExitCode.usage);
  const secret = randomBytes(20).toString('hex');
  const targets = receiverTargets(input.workload);
  await input.kubectl(['apply', '-f', '-'], receiverManifests({ namespace: input.namespace, secret, targets }));
  const deadline = Date.now() + (input.timeoutMs ?? 120_000);
  for (;;) {
    const listed = await input.kubectl(['get', 'receivers', '-n', input.namespace, '-o', 'json']).catch(() => '{"items":[]}');
    const paths = new Map(
      (JSON.parse(listed) as { items: Array<{ metadata: { name: string }; status?: { webhookPath?: string } }> }).items.map((r) => [r.metadata.name, r.status?.webhookPath]),
    );
    const missing = targets.filter((t) => !paths.get(receiverName(t)));
    if (missing.length === 0) {
      return targets.map((t) => ({ url: `${input.flux.receiverUrl}${paths.get(receiverName(t))}`, secret, repos: [t.repo] }));
    }
    if (Date.now() > deadline) {
      throw new FluxbenchError(`${missing.length} of ${targets.length} Flux Receivers reported no webhook path in time (e.g. ${receiverName(missing[0]!)})`);
    }
    await sleep(500);
  }
}
