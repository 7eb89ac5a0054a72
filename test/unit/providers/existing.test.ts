import { testKubectl } from '../../support/kubectl.ts';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseDeployments, resolveKubeconfigSource, selectContext, useExistingCluster } from '../../../src/providers/index.ts';
import { FluxbenchError, UsageError } from '../../../src/util/exit-codes.ts';
import { freePort } from '../../../src/util/ports.ts';

const kubectl = testKubectl();

function twoContexts(serverA: string, serverB: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: a
  cluster: {server: "${serverA}"}
- name: b
  cluster: {server: "${serverB}", certificate-authority-data: Q0E=}
users:
- name: ua
  user: {token: token-a}
- name: ub
  user: {token: token-b}
contexts:
- name: ctx-a
  context: {cluster: a, user: ua}
- name: ctx-b
  context: {cluster: b, user: ub, namespace: team}
current-context: ctx-a
`;
}

describe('kubeconfig resolution', () => {
  it('prefers the explicit path, then $KUBECONFIG (a path list), then ~/.kube/config', () => {
    expect(resolveKubeconfigSource({ kubeconfig: '/x/config', env: { KUBECONFIG: '/y' }, home: '/home/u' })).toEqual({ value: '/x/config', from: '--kubeconfig', files: ['/x/config'] });
    expect(resolveKubeconfigSource({ env: { KUBECONFIG: `/y${delimiter}/z` }, home: '/home/u' })).toEqual({ value: `/y${delimiter}/z`, from: '$KUBECONFIG', files: ['/y', '/z'] });
    expect(resolveKubeconfigSource({ env: {}, home: '/home/u' })).toEqual({ value: '/home/u/.kube/config', from: '~/.kube/config', files: ['/home/u/.kube/config'] });
  });

  it('keeps only the chosen context, its cluster and user, and makes it current', () => {
    const selected = selectContext(twoContexts('https://127.0.0.1:1', 'https://127.0.0.1:2'), 'ctx-b', '/k');
    expect(selected.context).toBe('ctx-b');
    expect(selected.apiServerUrl).toBe('https://127.0.0.1:2');
    const doc = parse(selected.text) as { 'current-context': string; clusters: Array<{ name: string }>; users: Array<{ name: string; user: { token: string } }>; contexts: Array<{ name: string; context: { namespace: string } }> };
    expect(doc['current-context']).toBe('ctx-b');
    expect(doc.clusters.map((c) => c.name)).toEqual(['b']);
    expect(doc.users).toEqual([{ name: 'ub', user: { token: 'token-b' } }]);
    expect(doc.contexts[0]!.context.namespace).toBe('team');
    expect(selectContext(twoContexts('https://127.0.0.1:1', 'https://127.0.0.1:2'), undefined, '/k').context).toBe('ctx-a');
  });

  it('names the allowed contexts when the one asked for is missing', () => {
    expect(() => selectContext(twoContexts('https://127.0.0.1:1', 'https://127.0.0.1:2'), 'prod', '/k')).toThrow(UsageError);
    expect(() => selectContext(twoContexts('https://127.0.0.1:1', 'https://127.0.0.1:2'), 'prod', '/k')).toThrow(/context "prod" is not in kubeconfig \/k; allowed: ctx-a, ctx-b/);
    expect(() => selectContext('contexts: []\n', undefined, '/k')).toThrow(/no current-context; pass --context/);
  });

  it('reads Deployment readiness', () => {
    const json = JSON.stringify({ items: [{ metadata: { name: 'source-controller' }, spec: { replicas: 1 }, status: { readyReplicas: 1 } }, { metadata: { name: 'kustomize-controller' }, spec: { replicas: 2 }, status: {} }] });
    expect(parseDeployments(json)).toEqual([
      { name: 'source-controller', replicas: 1, ready: 1 },
      { name: 'kustomize-controller', replicas: 2, ready: 0 },
    ]);
  });
});

// Real kubectl against real sockets: a kubeconfig naming a port nothing answers on.
describe('useExistingCluster failures', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fb-existing-'));
  let deadUrl: string;
  beforeAll(async () => {
    // A free port nobody listens on: the API "does not answer".
    deadUrl = `http://127.0.0.1:${await freePort()}`;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a kubeconfig that does not exist, naming it', async () => {
    await expect(useExistingCluster({ kubeconfig: join(dir, 'nope'), runDir: join(dir, 'run0'), kubectl })).rejects.toThrow(
      /kubeconfig .*nope \(from --kubeconfig\) does not exist/,
    );
  });

  it('refuses an unknown context, listing the allowed ones', async () => {
    writeFileSync(join(dir, 'config'), twoContexts(deadUrl, deadUrl));
    await expect(useExistingCluster({ kubeconfig: join(dir, 'config'), context: 'prod', runDir: join(dir, 'run1'), kubectl })).rejects.toThrow(
      /context "prod" is not in kubeconfig .*allowed: ctx-a, ctx-b/,
    );
  });

  it('writes the selected kubeconfig (0600) and says the API does not answer', async () => {
    writeFileSync(join(dir, 'config'), twoContexts(deadUrl, deadUrl));
    const error = await useExistingCluster({ kubeconfig: join(dir, 'config'), context: 'ctx-b', runDir: join(dir, 'run2'), kubectl }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FluxbenchError);
    expect((error as Error).message).toMatch(new RegExp(`API server of context "ctx-b" \\(${deadUrl.replace(/\./g, '\\.')}\\) does not answer`));
    const written = join(dir, 'run2', 'kubeconfig');
    expect(statSync(written).mode & 0o777).toBe(0o600);
    expect((parse(readFileSync(written, 'utf8')) as { 'current-context': string })['current-context']).toBe('ctx-b');
  });
});
