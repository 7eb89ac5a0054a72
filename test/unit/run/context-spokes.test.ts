/**
 * What a run owes an existing cluster used as a spoke, against an HTTP server answering namespace
 * lists as the API server does: the clash check before the apply, and the teardown's prune (root
 * suspended first, then the spoke's Kustomizations deleted, then the spoke asked what is left).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedFleet, StartedSpoke } from '../../../src/fleet/index.ts';
import { checkContextSpokes, pruneContextSpokes } from '../../../src/run/context-spokes.ts';

interface Namespace {
  name: string;
  team?: string;
  terminating?: boolean;
}

/** Answers GET /api/v1/namespaces (with or without the team label selector) from `namespaces`. */
async function startApiServer(namespaces: Namespace[]): Promise<{ url: string; selectors: string[]; stop(): Promise<void> }> {
  const selectors: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    res.setHeader('content-type', 'application/json');
    if (req.method !== 'GET' || url.pathname !== '/api/v1/namespaces') {
      res.statusCode = 404;
      res.end('{"kind":"Status","apiVersion":"v1","status":"Failure","code":404}');
      return;
    }
    const selector = url.searchParams.get('labelSelector') ?? '';
    selectors.push(selector);
    const items = namespaces
      .filter((n) => selector === '' || (selector === 'fluxbench.io/team' && n.team))
      .map((n) => ({ metadata: { name: n.name, ...(n.team ? { labels: { 'fluxbench.io/team': n.team } } : {}), ...(n.terminating ? { deletionTimestamp: '2026-12-01T00:00:00Z' } : {}) } }));
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'NamespaceList', metadata: {}, items }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, selectors, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function spoke(name: string, url: string, origin: 'local' | 'context'): StartedSpoke {
  const kubeconfig = [
    'apiVersion: v1',
    'kind: Config',
    // Plain HTTP: the client refuses it unless told to skip TLS verification.
    `clusters: [{ name: c, cluster: { server: "${url}", insecure-skip-tls-verify: true } }]`,
    'users: [{ name: u, user: { token: spoke-token } }]',
    'contexts: [{ name: c, context: { cluster: c, user: u } }]',
    'current-context: c',
  ].join('\n');
  return { name, origin, apiServerUrl: url, kubeconfig, present: true } as StartedSpoke;
}

const fleetOf = (...spokes: StartedSpoke[]) => ({ spokes, spoke: () => spokes[0]!, stop: async () => undefined }) as unknown as StartedFleet;

describe('existing spokes in a run', () => {
  let clean: Awaited<ReturnType<typeof startApiServer>>;
  let taken: Awaited<ReturnType<typeof startApiServer>>;
  beforeAll(async () => {
    clean = await startApiServer([{ name: 'default' }, { name: 'team-1', team: 'team-1', terminating: true }]);
    taken = await startApiServer([{ name: 'default' }, { name: 'team-2', team: 'team-2' }]);
  });
  afterAll(async () => {
    await clean.stop();
    await taken.stop();
  });

  it('refuses a cluster that already has a namespace of the workload, naming it; local spokes are not asked', async () => {
    await expect(checkContextSpokes(fleetOf(spoke('edge-1', clean.url, 'context')), ['team-2'])).resolves.toBeUndefined();
    await expect(checkContextSpokes(fleetOf(spoke('edge-1', clean.url, 'context'), spoke('edge-2', taken.url, 'context')), ['team-1x', 'team-2'])).rejects.toThrow(
      `spoke edge-2 (fleet.contexts, ${taken.url}) already has namespace(s) team-2, which the workload applies there and Flux would prune at the end of the run; use a cluster without them`,
    );
    await expect(checkContextSpokes(fleetOf(spoke('spoke-01', 'http://127.0.0.1:1', 'local')), ['team-2'])).resolves.toBeUndefined();
    await expect(checkContextSpokes(fleetOf(spoke('edge-3', 'http://127.0.0.1:1', 'context')), ['team-2'])).rejects.toThrow(/^spoke edge-3 \(fleet\.contexts, http:\/\/127\.0\.0\.1:1\): cannot list its namespaces/);
  });

  it('suspends the root, deletes each existing spoke’s Kustomizations and waits, then names what is left there', async () => {
    const calls: string[][] = [];
    const kubectl = async (args: string[]) => (calls.push(args), '');
    const logs: string[] = [];
    const root = { namespace: 'flux-system', name: 'fleet' };
    const kustomizationsOnly = { helmReleases: false };
    // A team namespace being deleted is gone as far as the run is concerned.
    await pruneContextSpokes(kubectl, fleetOf(spoke('spoke-01', 'http://127.0.0.1:1', 'local'), spoke('edge-1', clean.url, 'context')), root, (l) => logs.push(l), kustomizationsOnly);
    expect(calls).toEqual([
      ['patch', 'kustomizations.kustomize.toolkit.fluxcd.io', 'fleet', '-n', 'flux-system', '--type=merge', '-p', '{"spec":{"suspend":true}}'],
      ['delete', 'kustomizations.kustomize.toolkit.fluxcd.io', '--all', '-n', 'edge-1', '--wait=true', '--timeout=120s'],
    ]);
    expect(clean.selectors).toContain('fluxbench.io/team');
    expect(logs).toEqual([expect.stringMatching(/^spoke edge-1: Flux pruned what it applied \(\d+\.\ds\)$/)]);

    // A finalizer that let go without pruning leaves a live namespace: the teardown says so.
    await expect(pruneContextSpokes(kubectl, fleetOf(spoke('edge-2', taken.url, 'context')), root, () => undefined, kustomizationsOnly)).rejects.toThrow(
      "existing spokes not cleaned up (delete the workload's team namespaces there by hand): edge-2: namespace(s) team-2 left",
    );
    // With HelmReleases they go first, so helm-controller uninstalls them before their namespaces go.
    calls.length = 0;
    await pruneContextSpokes(kubectl, fleetOf(spoke('edge-1', clean.url, 'context')), root, () => undefined, { helmReleases: true });
    expect(calls.slice(1).map((c) => c[1])).toEqual(['helmreleases.helm.toolkit.fluxcd.io', 'kustomizations.kustomize.toolkit.fluxcd.io']);
    // A HelmRelease delete that fails (an uninstall timing out) does not keep the Kustomizations from being pruned; both are named.
    calls.length = 0;
    const failing = async (args: string[]) => {
      calls.push(args);
      if (args[1]?.startsWith('helmreleases')) throw new Error('timed out waiting for the condition on helmreleases/release-001\nmore');
      return '';
    };
    await expect(pruneContextSpokes(failing, fleetOf(spoke('edge-2', taken.url, 'context')), root, () => undefined, { helmReleases: true })).rejects.toThrow(
      "existing spokes not cleaned up (delete the workload's team namespaces there by hand): edge-2: timed out waiting for the condition on helmreleases/release-001; namespace(s) team-2 left",
    );
    expect(calls.slice(1).map((c) => c[1])).toEqual(['helmreleases.helm.toolkit.fluxcd.io', 'kustomizations.kustomize.toolkit.fluxcd.io']);
    // Without existing spokes nothing is touched.
    calls.length = 0;
    await pruneContextSpokes(kubectl, fleetOf(spoke('spoke-01', 'http://127.0.0.1:1', 'local')), root, () => undefined, kustomizationsOnly);
    expect(calls).toEqual([]);
  });
});
