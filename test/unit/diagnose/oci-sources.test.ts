/**
 * OCI sources in diagnosis: an OCIRepository that cannot pull (a registry outage, the registry's
 * pull limit) is the root cause of what reads it, and a 429 is named with its registry, the
 * credentials that share the quota, and the fixes. Statuses are built the way source-controller
 * v1.9 and kustomize-controller v1.9 write them: OCIRepository reasons from
 * api/v1/ocirepository_types.go (OCIArtifactPullFailed), messages from
 * internal/controller/ocirepository_controller.go ("failed to determine artifact digest: %w"
 * around go-containerregistry's transport errors), the Kustomization's from
 * kustomization_controller.go ("Source artifact not found, retrying in %s", ArtifactFailed).
 */
import { describe, expect, it } from 'vitest';
import { diagnose, emptyFluxState, renderDiagnosisText } from '../../../src/diagnose/index.ts';
import type { FluxState, RawObject } from '../../../src/diagnose/index.ts';
import { isRegistryRateLimited, pullIdentityOf } from '../../../src/diagnose/registry-pulls.ts';

const now = new Date('2026-11-25T12:00:00Z');
const ago = (ms: number): string => new Date(now.getTime() - ms).toISOString();
const min = 60_000;
const registry = '127.0.0.1:39157';
const digest = 'sha256:4f1c6b0a9e0d2b7a2c0b1d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a';

/** go-containerregistry's error for a manifest GET the registry refused, as source-controller wraps it. */
const tooManyRequests = (repository: string) =>
  `failed to determine artifact digest: GET http://${registry}/v2/${repository}/manifests/latest: TOOMANYREQUESTS: You have reached your pull rate limit as 'flux'. Retry after the window resets.`;
/** The same for an outage: a 503 whose body is not the registry's error JSON. */
const unavailable = (repository: string) =>
  `failed to determine artifact digest: GET http://${registry}/v2/${repository}/manifests/latest: unexpected status code 503 Service Unavailable: registry outage (fault)`;

function condition(type: string, status: string, reason: string, message: string, since: number) {
  return { type, status, reason, message, lastTransitionTime: ago(since), observedGeneration: 1 };
}

/** An OCIRepository failing to pull, with or without the artifact of an earlier pull. */
function ociRepository(name: string, message: string, options: { since?: number; artifact?: boolean; spec?: Record<string, unknown> } = {}): RawObject {
  const since = options.since ?? 5 * min;
  const artifact = options.artifact
    ? {
        artifact: {
          digest: 'sha256:9a7c7a6b1f4de0c2b3e8f90a1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c',
          lastUpdateTime: ago(60 * min),
          path: `ocirepository/apps/${name}/${digest.slice(7)}.tar.gz`,
          revision: `latest@${digest}`,
          size: 1234,
          url: `http://source-controller.flux-system.svc.cluster.local./ocirepository/apps/${name}/${digest.slice(7)}.tar.gz`,
        },
      }
    : {};
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    metadata: { name, namespace: 'apps', generation: 1, creationTimestamp: ago(120 * min) },
    spec: { interval: '1m', url: `oci://${registry}/team-1/${name}`, ref: { tag: 'latest' }, insecure: true, timeout: '60s', ...options.spec },
    status: {
      observedGeneration: 1,
      ...artifact,
      conditions: [
        condition('FetchFailed', 'True', 'OCIArtifactPullFailed', message, since),
        ...(options.artifact ? [condition('ArtifactInStorage', 'True', 'Succeeded', `stored artifact for digest 'latest@${digest}'`, 60 * min)] : []),
        condition('Ready', 'False', 'OCIArtifactPullFailed', message, since),
      ],
    },
  };
}

function kustomization(name: string, source: string, status: Record<string, unknown>): RawObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace: 'apps', generation: 1, creationTimestamp: ago(120 * min) },
    spec: { interval: '5m', path: './', prune: true, sourceRef: { kind: 'OCIRepository', name: source } },
    status,
  };
}

function stateOf(...objects: RawObject[]): FluxState {
  const state = emptyFluxState(now.toISOString());
  state.objects.push(...objects);
  return state;
}

describe('OCIRepository in diagnosis', () => {
  it('is the root cause of a Kustomization waiting on its artifact during a registry outage', () => {
    const state = stateOf(
      ociRepository('app-1', unavailable('team-1/app-1'), { since: 10 * min }),
      kustomization('app-1', 'app-1', { observedGeneration: 1, conditions: [condition('Ready', 'False', 'ArtifactFailed', 'Source artifact not found, retrying in 30s', 10 * min)] }),
    );
    const diagnosis = diagnose(state, now);
    const waiting = diagnosis.findings.find((f) => f.id === 'Kustomization/apps/app-1')!;
    expect(waiting.chain.map((hop) => [hop.id, hop.via, hop.reason])).toEqual([
      ['Kustomization/apps/app-1', undefined, 'ArtifactFailed'],
      ['OCIRepository/apps/app-1', 'source', 'OCIArtifactPullFailed'],
    ]);
    expect(waiting.rootCause).toEqual({ type: 'object', id: 'OCIRepository/apps/app-1', reason: 'OCIArtifactPullFailed', message: unavailable('team-1/app-1') });
    const source = diagnosis.findings.find((f) => f.id === 'OCIRepository/apps/app-1')!;
    // An outage is a failing source, not a pull limit.
    expect(source.symptoms.map((s) => s.type)).toEqual(['failing']);
    expect(renderDiagnosisText(diagnosis)).toContain(
      `apps/app-1 → OCIRepository/apps/app-1 [source]: OCIArtifactPullFailed: failed to determine artifact digest: GET http://${registry}/v2/team-1/app-1/manifests/latest: unexpected status code 503`,
    );
  });

  it('names the pull limit, the registry, who pulls and how many sources share the quota, and the fixes', () => {
    const state = stateOf(
      // Young (10 s, shorter than its interval): a spent quota fails every retry until the window resets.
      ociRepository('app-1', tooManyRequests('team-1/app-1'), { since: 10_000, artifact: true }),
      ociRepository('app-2', tooManyRequests('team-1/app-2'), { artifact: true }),
      ociRepository('app-3', unavailable('team-1/app-3'), { artifact: true }),
      ociRepository('app-4', tooManyRequests('team-1/app-4'), { spec: { secretRef: { name: 'regcred' } } }),
      kustomization('app-4', 'app-4', { conditions: [condition('Ready', 'False', 'ArtifactFailed', 'Source artifact not found, retrying in 30s', 5 * min)] }),
    );
    const diagnosis = diagnose(state, now);
    const finding = (id: string) => diagnosis.findings.find((f) => f.id === id)!;
    const anonymous = finding('OCIRepository/apps/app-1');
    expect(anonymous.stuck).toBe(true);
    expect(anonymous.symptoms.map((s) => s.type)).toEqual(['registry_rate_limited']);
    expect(anonymous.symptoms[0]!.detail).toBe(
      `${registry}'s pull limit refused it (HTTP 429 TOOMANYREQUESTS), pulling anonymously (no spec.secretRef: the registry counts anonymous pulls per client address, at its lowest limit); ` +
        `3 sources pull from ${registry} with these credentials, on one quota. ` +
        'Fixes: authenticate pulls (spec.secretRef: an authenticated identity gets its own, higher limit); raise spec.interval (every reconcile asks the registry for the manifest); ' +
        'one OCIRepository per team rather than per app (one pull for the artifacts they share); a pull-through cache or mirror in front of the registry',
    );
    expect(finding('OCIRepository/apps/app-2').symptoms.map((s) => s.type)).toEqual(['registry_rate_limited', 'failing']);
    expect(finding('OCIRepository/apps/app-3').symptoms.map((s) => s.type)).toEqual(['failing']);
    const authenticated = finding('OCIRepository/apps/app-4').symptoms.find((s) => s.type === 'registry_rate_limited')!;
    expect(authenticated.detail).toMatch(/^127\.0\.0\.1:39157's pull limit refused it \(HTTP 429 TOOMANYREQUESTS\), pulling as Secret apps\/regcred\. Fixes: pull with credentials that have a higher limit/);
    // The Kustomization reading it ends its chain at the registry's refusal.
    expect(finding('Kustomization/apps/app-4').rootCause).toMatchObject({ id: 'OCIRepository/apps/app-4', reason: 'OCIArtifactPullFailed', message: tooManyRequests('team-1/app-4') });
    const text = renderDiagnosisText(diagnosis);
    expect(text).toContain('registry_rate_limited: 127.0.0.1:39157\'s pull limit refused it');
    expect(text).toContain('a pull-through cache or mirror in front of the registry');
  });

  it('reads a HelmChart’s pull identity from the OCI HelmRepository it pulls through', () => {
    const helmRepository: RawObject = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: 'charts', namespace: 'apps' },
      spec: { type: 'oci', url: `oci://${registry}/charts`, interval: '5m', provider: 'generic', secretRef: { name: 'charts-auth' } },
      status: {},
    };
    // source-controller's chart.BuildError: "<summary>: <error>", the registry's answer from Helm's ORAS client inside.
    const message = `chart pull error: failed to get chart version for remote reference: GET "http://${registry}/v2/charts/app/tags/list": response status code 429: toomanyrequests: pull rate limit reached`;
    const chart: RawObject = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmChart',
      metadata: { name: 'apps-app', namespace: 'apps' },
      spec: { chart: 'app', version: '1.x', interval: '5m', sourceRef: { kind: 'HelmRepository', name: 'charts' } },
      status: { conditions: [condition('Ready', 'False', 'ChartPullError', message, 30_000)] },
    };
    const finding = diagnose(stateOf(helmRepository, chart), now).findings.find((f) => f.id === 'HelmChart/apps/apps-app')!;
    expect(finding.symptoms.map((s) => s.type)).toEqual(['registry_rate_limited']);
    expect(finding.symptoms[0]!.detail).toContain("pulling as Secret apps/charts-auth");
  });

  it('knows 429s from their texts only, and who pulls from the spec', () => {
    expect(isRegistryRateLimited(tooManyRequests('a/b'))).toBe(true);
    expect(isRegistryRateLimited(`failed to determine artifact digest: HEAD http://${registry}/v2/a/b/manifests/latest: unexpected status code 429 Too Many Requests (HEAD responses have no body, use GET for details)`)).toBe(true);
    expect(isRegistryRateLimited('toomanyrequests: You have reached your unauthenticated pull rate limit. https://www.docker.com/increase-rate-limit')).toBe(true);
    expect(isRegistryRateLimited(unavailable('a/b'))).toBe(false);
    // A digest may hold "429" among its hex digits.
    expect(isRegistryRateLimited(`stored artifact for digest 'latest@sha256:0429${'a'.repeat(60)}'`)).toBe(false);
    const oci = (spec: Record<string, unknown>): RawObject => ({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'OCIRepository', metadata: { name: 'x', namespace: 'apps' }, spec: { url: 'oci://ghcr.io/acme/app', ...spec } });
    expect(pullIdentityOf(oci({}))).toEqual({ host: 'ghcr.io', credentials: 'anonymous' });
    expect(pullIdentityOf(oci({ provider: 'aws', secretRef: { name: 's' } }))).toEqual({ host: 'ghcr.io', credentials: 'provider aws' });
    expect(pullIdentityOf(oci({ provider: 'generic', secretRef: { name: 's' } }))).toEqual({ host: 'ghcr.io', credentials: 'Secret apps/s' });
    expect(pullIdentityOf(oci({ serviceAccountName: 'puller' }))).toEqual({ host: 'ghcr.io', credentials: 'ServiceAccount apps/puller' });
    expect(pullIdentityOf({ ...oci({}), kind: 'GitRepository' })).toBeUndefined();
    expect(pullIdentityOf({ ...oci({ type: 'default', url: 'https://charts.example.com' }), kind: 'HelmRepository' })).toBeUndefined();
  });
});
