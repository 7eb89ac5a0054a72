/**
 * Flux's remote-cluster mode in diagnosis: Kustomizations with spec.kubeConfig.secretRef whose
 * cluster's API server is gone fail with client-go's connection errors ("Get \"https://…\": dial
 * tcp …: connect: connection refused"); the root cause is that cluster, named by its Secret and
 * address, for every object of that Secret, and the other spokes' objects are left alone.
 */
import { describe, expect, it } from 'vitest';
import { diagnose, emptyFluxState, renderDiagnosisText, type RawObject } from '../../../src/diagnose/index.ts';
import { remoteClusterOf } from '../../../src/diagnose/remote-clusters.ts';

const now = new Date('2026-12-01T12:00:00Z');
const ago = (ms: number): string => new Date(now.getTime() - ms).toISOString();
const refused = (port: number) => `Get "https://127.0.0.1:${port}/api?timeout=32s": dial tcp 127.0.0.1:${port}: connect: connection refused`;
const frozen = (port: number) => `Get "https://127.0.0.1:${port}/api?timeout=32s": net/http: TLS handshake timeout`;

function spokeKustomization(spoke: string, name: string, ready: { status: string; reason: string; message: string }): RawObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace: spoke, generation: 1, creationTimestamp: ago(600_000) },
    spec: { interval: '2m', path: './apps/app', prune: true, kubeConfig: { secretRef: { name: 'kubeconfig' } }, sourceRef: { kind: 'GitRepository', name: 'team-a', namespace: 'flux-system' } },
    status: { observedGeneration: 1, conditions: [{ type: 'Ready', ...ready, lastTransitionTime: ago(90_000), observedGeneration: 1 }] },
  };
}

describe('remote clusters in diagnosis', () => {
  it('names the spoke whose API server does not answer as the root cause of each of its objects, and no other spoke', () => {
    const state = emptyFluxState(now.toISOString());
    state.objects.push(
      spokeKustomization('spoke-02', 'app-001', { status: 'False', reason: 'ReconciliationFailed', message: refused(40123) }),
      spokeKustomization('spoke-02', 'app-002', { status: 'False', reason: 'ReconciliationFailed', message: refused(40123) }),
      spokeKustomization('spoke-03', 'app-001', { status: 'False', reason: 'ReconciliationFailed', message: frozen(40200) }),
      spokeKustomization('spoke-01', 'app-001', { status: 'True', reason: 'ReconciliationSucceeded', message: 'Applied revision: main@sha1:abc' }),
    );
    const diagnosis = diagnose(state, now);
    const finding = (id: string) => diagnosis.findings.find((f) => f.id === id)!;
    const one = finding('Kustomization/spoke-02/app-001');
    expect(one.stuck).toBe(true);
    expect(one.symptoms.map((s) => s.type)).toContain('remote_cluster_unreachable');
    expect(one.symptoms.find((s) => s.type === 'remote_cluster_unreachable')!.detail).toMatch(
      /^the cluster of kubeConfig Secret spoke-02\/kubeconfig at https:\/\/127\.0\.0\.1:40123 does not answer \(connect: connection refused\) for 1m30s; 2 object\(s\) of that kubeconfig fail the same way/,
    );
    expect(one.rootCause).toEqual({
      type: 'object',
      id: 'Secret/spoke-02/kubeconfig',
      reason: 'RemoteClusterUnreachable',
      message: 'the cluster of kubeConfig Secret spoke-02/kubeconfig at https://127.0.0.1:40123 does not answer: connect: connection refused',
      fluxObject: 'Kustomization/spoke-02/app-001',
    });
    // A frozen API server (SIGSTOP) answers nothing: the handshake times out.
    expect(finding('Kustomization/spoke-03/app-001').rootCause).toMatchObject({ id: 'Secret/spoke-03/kubeconfig', reason: 'RemoteClusterUnreachable' });
    // The healthy spoke's object is no finding at all.
    expect(diagnosis.findings.find((f) => f.id === 'Kustomization/spoke-01/app-001')).toBeUndefined();
    expect(renderDiagnosisText(diagnosis)).toContain('spoke-02/kubeconfig at https://127.0.0.1:40123 does not answer');
  });

  it('reads the newest Warning event of a remote object caught mid-retry (Ready Unknown), as a fleet run left one, and only for a connection error', () => {
    const state = emptyFluxState(now.toISOString());
    const inProgress = { status: 'Unknown', reason: 'Progressing', message: 'Reconciliation in progress' };
    state.objects.push(spokeKustomization('spoke-02', 'infrastructure', inProgress), spokeKustomization('spoke-03', 'infrastructure', inProgress));
    const event = (spoke: string, message: string, time: string) => ({ kind: 'Kustomization', namespace: spoke, name: 'infrastructure', type: 'Warning', reason: 'ReconciliationFailed', message, time, count: 1 });
    state.events.push(
      event('spoke-02', `Namespace/team-1 dry-run failed: failed to get server groups: ${refused(32754)}`, ago(5_000)),
      // spoke-03 failed on its cluster once, but its newest failure is its own manifest's.
      event('spoke-03', refused(32760), ago(60_000)),
      event('spoke-03', 'kustomize build failed: missing file', ago(4_000)),
    );
    const diagnosis = diagnose(state, now);
    expect(diagnosis.findings.find((f) => f.id === 'Kustomization/spoke-02/infrastructure')!.rootCause).toMatchObject({
      id: 'Secret/spoke-02/kubeconfig',
      reason: 'RemoteClusterUnreachable',
      message: 'the cluster of kubeConfig Secret spoke-02/kubeconfig at https://127.0.0.1:32754 does not answer: connect: connection refused',
    });
    expect(diagnosis.findings.find((f) => f.id === 'Kustomization/spoke-03/infrastructure')?.rootCause).not.toMatchObject({ reason: 'RemoteClusterUnreachable' });
  });

  it("does not read an unreachable cluster into a remote object that reconciled on it since (its spoke back, a Normal event newer than the failure)", () => {
    const state = emptyFluxState(now.toISOString());
    state.objects.push(spokeKustomization('spoke-03', 'app-002', { status: 'Unknown', reason: 'Progressing', message: 'Reconciliation in progress' }));
    const event = (type: string, reason: string, message: string, time: string) => ({ kind: 'Kustomization', namespace: 'spoke-03', name: 'app-002', type, reason, message, time, count: 1 });
    state.events.push(
      event('Warning', 'ReconciliationFailed', `Deployment/team-1/app-002 dry-run failed: failed to get server groups: ${refused(32750)}`, ago(70_000)),
      event('Normal', 'ReconciliationSucceeded', 'Reconciliation finished in 865ms, next run in 2m0s', ago(5_000)),
    );
    const finding = diagnose(state, now).findings.find((f) => f.id === 'Kustomization/spoke-03/app-002');
    expect(finding?.rootCause).not.toMatchObject({ reason: 'RemoteClusterUnreachable' });
    expect(finding?.symptoms.map((s) => s.type) ?? []).not.toContain('remote_cluster_unreachable');
  });

  it('leaves a failure that is not a connection error (a bad manifest) with the object, and reads the secretRef only from appliers', () => {
    const state = emptyFluxState(now.toISOString());
    state.objects.push(spokeKustomization('spoke-02', 'app-003', { status: 'False', reason: 'BuildFailed', message: 'kustomize build failed: accumulating resources: missing file' }));
    const finding = diagnose(state, now).findings[0]!;
    expect(finding.symptoms.map((s) => s.type)).not.toContain('remote_cluster_unreachable');
    expect(finding.rootCause).toMatchObject({ id: 'Kustomization/spoke-02/app-003', reason: 'BuildFailed' });
    // The artifact download from the hub's source-controller failing is the hub's problem, not the spoke's.
    const hub = emptyFluxState(now.toISOString());
    hub.objects.push(
      spokeKustomization('spoke-01', 'app-004', {
        status: 'False',
        reason: 'ArtifactFailed',
        message: 'failed to download artifact, error: GET http://127.0.0.1:9790/gitrepository/flux-system/team-1/abc.tar.gz: dial tcp 127.0.0.1:9790: connect: connection refused',
      }),
    );
    const artifact = diagnose(hub, now).findings[0]!;
    expect(artifact.symptoms.map((s) => s.type)).not.toContain('remote_cluster_unreachable');
    // The chain goes to the source it reads (absent in this state), not to the spoke.
    expect(artifact.rootCause).toMatchObject({ type: 'missing', id: 'GitRepository/flux-system/team-a' });
    expect(remoteClusterOf({ apiVersion: 'v1', kind: 'GitRepository', metadata: { name: 'x', namespace: 'a' }, spec: { kubeConfig: { secretRef: { name: 'k' } } } } as RawObject)).toBeUndefined();
  });
});
