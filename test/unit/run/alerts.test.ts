import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { alertManifests, alertName, alertTargets, commitStatusSecretName } from '../../../src/run/alerts.ts';
import { parseScenario, ScenarioError } from '../../../src/scenario/index.ts';
import type { FluxObjectRef } from '../../../src/workload/index.ts';

const ref = (kind: FluxObjectRef['kind'], namespace: string, name: string, sourceRepo?: string): FluxObjectRef => ({
  id: `${kind}/${namespace}/${name}`,
  apiVersion: 'x',
  kind,
  namespace,
  name,
  ...(sourceRepo ? { sourceRepo } : {}),
});

describe('commit status alerts', () => {
  const workload = {
    fluxObjects: [
      ref('GitRepository', 'flux-system', 'team-a', 'fleet/team-a'),
      ref('Kustomization', 'team-a', 'app-1', 'fleet/team-a'),
      ref('Kustomization', 'team-a', 'app-2', 'fleet/team-a'),
      ref('Kustomization', 'team-b', 'app-3', 'fleet/team-b'),
      ref('HelmRelease', 'team-b', 'hr-1', 'fleet/team-b'),
    ],
  };

  it('groups the Kustomizations by the repository they read, one Provider and Alert each', () => {
    const targets = alertTargets(workload);
    expect(targets).toEqual([
      { repo: 'fleet/team-a', kustomizations: [{ namespace: 'team-a', name: 'app-1' }, { namespace: 'team-a', name: 'app-2' }] },
      { repo: 'fleet/team-b', kustomizations: [{ namespace: 'team-b', name: 'app-3' }] },
    ]);
    const docs = parseAllDocuments(alertManifests({ namespace: 'flux-system', githubUrl: 'http://127.0.0.1:4321', token: 'ghp_secret123', targets })).map((d) => d.toJS());
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      `Secret/${commitStatusSecretName}`,
      'Provider/gh-status-fleet-team-a',
      'Alert/gh-status-fleet-team-a',
      'Provider/gh-status-fleet-team-b',
      'Alert/gh-status-fleet-team-b',
    ]);
    expect(docs[0].stringData).toEqual({ token: 'ghp_secret123' });
    expect(docs[1].spec).toEqual({ type: 'github', address: 'http://127.0.0.1:4321/fleet/team-a', secretRef: { name: commitStatusSecretName } });
    expect(docs[2].spec).toEqual({
      providerRef: { name: 'gh-status-fleet-team-a' },
      eventSeverity: 'info',
      eventSources: [
        { kind: 'Kustomization', name: 'app-1', namespace: 'team-a' },
        { kind: 'Kustomization', name: 'app-2', namespace: 'team-a' },
      ],
    });
  });

  it('adds a githubdispatch Provider and Alert per repository when asked, with the same token', () => {
    const docs = parseAllDocuments(alertManifests({ namespace: 'flux-system', githubUrl: 'http://127.0.0.1:4321', token: '12345678', targets: alertTargets(workload), types: ['github', 'githubdispatch'] })).map((d) => d.toJS());
    expect(docs[0].stringData).toEqual({ token: '12345678' });
    const providers = docs.filter((d) => d.kind === 'Provider').map((d) => `${d.metadata.name} ${d.spec.type} ${d.spec.address}`);
    expect(providers).toEqual([
      'gh-status-fleet-team-a github http://127.0.0.1:4321/fleet/team-a',
      'gh-status-fleet-team-b github http://127.0.0.1:4321/fleet/team-b',
      'gh-dispatch-fleet-team-a githubdispatch http://127.0.0.1:4321/fleet/team-a',
      'gh-dispatch-fleet-team-b githubdispatch http://127.0.0.1:4321/fleet/team-b',
    ]);
    expect(docs.filter((d) => d.kind === 'Alert').map((d) => d.spec.providerRef.name)).toEqual(providers.map((p) => p.split(' ')[0]));
  });

  it('adds a generic webhook Provider per repository, posting to /hooks/{repo} with the token as a bearer header', () => {
    const docs = parseAllDocuments(alertManifests({ namespace: 'flux-system', githubUrl: 'http://127.0.0.1:4321', token: '12345678', targets: alertTargets(workload), types: ['generic'] })).map((d) => d.toJS());
    // notification-controller reads `headers` as YAML; the token stays a string.
    expect(parseAllDocuments(docs[0].stringData.headers)[0]!.toJS()).toEqual({ Authorization: 'Bearer 12345678' });
    expect(docs[0].stringData.token).toBe('12345678');
    expect(docs.filter((d) => d.kind === 'Provider').map((d) => `${d.metadata.name} ${d.spec.type} ${d.spec.address}`)).toEqual([
      'webhook-fleet-team-a generic http://127.0.0.1:4321/hooks/fleet/team-a',
      'webhook-fleet-team-b generic http://127.0.0.1:4321/hooks/fleet/team-b',
    ]);
  });

  it('names each repository with a DNS label, hashed when too long', () => {
    const long = `org/${'r'.repeat(80)}`;
    expect(alertName(long)).toMatch(/^[a-z0-9-]{1,63}$/);
    expect(alertName(long)).not.toBe(alertName(`${long}x`));
    expect(alertName('Org/My.Repo')).toBe('gh-status-org-my-repo');
  });

  it('is refused without notification-controller, or on OCI sources', () => {
    const problems = (controllers: string, source = 'git') => {
      try {
        parseScenario(`name: t\ncontrollers: ${controllers}\nworkload: {source: ${source}}\n`, 'a.yaml');
        return [];
      } catch (error) {
        expect(error).toBeInstanceOf(ScenarioError);
        return (error as Error).message.split('\n');
      }
    };
    expect(problems('{notification: {alerts: {github: true}}}')).toEqual([
      expect.stringMatching(/^a\.yaml:2:\d+: controllers\.notification\.alerts\.github: Providers post through notification-controller: set controllers\.notification\.enabled: true/),
    ]);
    expect(problems('{notification: {enabled: true, alerts: {github: true}}}')).toEqual([]);
    expect(problems('{notification: {alerts: {generic: true}}}')).toEqual([expect.stringMatching(/alerts\.generic: Providers post through notification-controller/)]);
    expect(problems('{notification: {enabled: true, alerts: {github: true}}}', 'oci')).toEqual([
      expect.stringMatching(/alerts\.github: Providers post to the fake GitHub, which serves git sources: workload\.source is oci, allowed: git/),
    ]);
  });
});
