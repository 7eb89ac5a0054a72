import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerDiagnoseCommand } from '../../../src/cli/diagnose-command.ts';
import { collectFluxState, diagnose, diagnosisSchema } from '../../../src/diagnose/index.ts';
import type { Diagnosis, FluxState } from '../../../src/diagnose/index.ts';
import { ExitCode, FluxbenchError, UsageError } from '../../../src/util/exit-codes.ts';
import { freePort } from '../../../src/util/ports.ts';
import { startFakeApiServer } from './fake-apiserver.ts';
import type { FakeApiServer, FakeObject, FakeResource } from './fake-apiserver.ts';
import { buildFluxState, graph, hr, ks } from './fixtures.ts';

const now = new Date('2026-11-25T12:00:00Z');

const resources: FakeResource[] = [
  { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true },
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { group: '', version: 'v1', plural: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true },
  { group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses', kind: 'StorageClass', namespaced: false },
  { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations', kind: 'Kustomization', namespaced: true },
  { group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases', kind: 'HelmRelease', namespaced: true },
  { group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'gitrepositories', kind: 'GitRepository', namespaced: true },
  { group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'helmrepositories', kind: 'HelmRepository', namespaced: true },
  { group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'helmcharts', kind: 'HelmChart', namespaced: true },
];

/** A cluster with a health-check chain to a PVC, a cross-kind cycle, a missing dependency and a cross-namespace dependency. */
const spec = graph(
  {
    [ks('apps', 'web')]: [ks('infra', 'db')],
    [ks('infra', 'db')]: [],
    [ks('apps', 'config')]: [ks('apps', 'release')],
    [ks('apps', 'release')]: [hr('apps', 'api')],
    [hr('apps', 'api')]: [ks('apps', 'config')],
    [ks('apps', 'front')]: [ks('apps', 'ghost')],
    [ks('apps', 'fine')]: [],
  },
  {
    cycles: [[hr('apps', 'api'), ks('apps', 'config'), ks('apps', 'release')]],
    brokenRoots: [{ id: ks('infra', 'db'), reason: 'HealthCheckFailed' }],
    missing: [ks('apps', 'ghost')],
  },
);

function toServedObjects(state: FluxState): FakeObject[] {
  const events = state.events.map((e, i) => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${e.name}.${i}`, namespace: e.namespace },
    involvedObject: { kind: e.kind, namespace: e.namespace, name: e.name },
    type: e.type,
    reason: e.reason,
    message: e.message,
    lastTimestamp: e.time,
    count: e.count,
  }));
  return [...(state.objects as FakeObject[]), ...(state.related as FakeObject[]), ...events];
}

function kubeConfigFor(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server, skipTLSVerify: true }],
    users: [{ name: 'reader', token: 'read-only' }],
    contexts: [{ name: 'fake-ctx', cluster: 'fake', user: 'reader' }],
    currentContext: 'fake-ctx',
  });
  return kc;
}

function essentials(d: Diagnosis) {
  return {
    cycles: d.cycles,
    missing: d.missing,
    findings: d.findings.map((f) => ({ id: f.id, stuck: f.stuck, rootCause: f.rootCause, chain: f.chain.map((h) => h.id), symptoms: f.symptoms.map((s) => s.type) })),
  };
}

describe('collectFluxState against a fake API server', () => {
  const fixture = buildFluxState(spec, { now });
  let api: FakeApiServer;
  let dir: string;

  beforeAll(async () => {
    api = await startFakeApiServer(resources, toServedObjects(fixture));
    dir = mkdtempSync(join(tmpdir(), 'diagnose-test-'));
  });
  afterAll(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('reads what the cluster holds and diagnoses it as the in-memory state, with reads only', async () => {
    const state = await collectFluxState(kubeConfigFor(api.url), { now: () => now, producerHints: fixture.producerHints ?? {} });
    expect(state.context).toBe('fake-ctx');
    expect(state.objects.length).toBe(fixture.objects.length);
    expect(state.related.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['PersistentVolumeClaim/pvc-db']);
    expect(state.relatedMissing).toEqual(['StorageClass/fast']);
    expect(state.notes.sort()).toEqual([
      'Bucket (source.toolkit.fluxcd.io/v1 or v1beta2): not installed, skipped',
      'OCIRepository (source.toolkit.fluxcd.io/v1 or v1beta2): not installed, skipped',
    ]);
    const collected = diagnose(state, now);
    const expected = diagnose(fixture, now);
    expect(essentials(collected)).toEqual(essentials(expected));
    expect(collected.cycles.map((c) => c.ids)).toEqual([[hr('apps', 'api'), ks('apps', 'config'), ks('apps', 'release')]]);
    const web = collected.findings.find((f) => f.id === ks('apps', 'web'))!;
    expect(web.chain.at(-1)!.events[0]).toMatchObject({ reason: 'ProvisioningFailed', count: 12 });
    expect(api.requests.every((r) => r.method === 'GET')).toBe(true);
  });

  it('pages through lists', async () => {
    const before = api.requests.length;
    const state = await collectFluxState(kubeConfigFor(api.url), { now: () => now, pageSize: 2 });
    expect(state.objects.length).toBe(fixture.objects.length);
    expect(api.requests.slice(before).some((r) => r.path.includes('continue='))).toBe(true);
  });

  it('fetches a dependency outside the namespaces read instead of calling it missing', async () => {
    const state = await collectFluxState(kubeConfigFor(api.url), { now: () => now, namespaces: ['apps'] });
    expect(state.namespaces).toEqual(['apps']);
    expect(state.objects.some((o) => o.metadata.namespace === 'infra' && o.metadata.name === 'db')).toBe(true);
    const diagnosis = diagnose(state, now);
    expect(diagnosis.missing.map((m) => m.to)).toEqual([ks('apps', 'ghost')]);
    const web = diagnosis.findings.find((f) => f.id === ks('apps', 'web'))!;
    expect(web.rootCause).toMatchObject({ id: 'PersistentVolumeClaim/infra/pvc-db', message: 'storageclass "fast" not found' });
  });

  it('skips a namespace it may not read, keeps the others and says so', async () => {
    const limited = await startFakeApiServer(resources, toServedObjects(fixture), { forbid: /\/namespaces\/infra\/kustomizations/ });
    try {
      const state = await collectFluxState(kubeConfigFor(limited.url), { now: () => now, namespaces: ['apps', 'infra'] });
      expect(state.notes).toContain('Kustomization (kustomize.toolkit.fluxcd.io) in infra: list forbidden, skipped');
      expect(state.objects.filter((o) => o.kind === 'Kustomization').map((o) => o.metadata.namespace)).not.toContain('infra');
      expect(state.objects.filter((o) => o.kind === 'Kustomization').length).toBeGreaterThan(3);
    } finally {
      await limited.close();
    }
  });

  it('gives up with a timeout error when the API server never answers', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const started = Date.now();
      const error = await collectFluxState(kubeConfigFor(`http://127.0.0.1:${port}`), { timeoutMs: 300 }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(FluxbenchError);
      expect((error as FluxbenchError).exitCode).toBe(ExitCode.timeout);
      expect((error as Error).message).toMatch(/took longer than 0.3s/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('fails with a clear error when the API server cannot be reached', async () => {
    const port = await freePort();
    await expect(collectFluxState(kubeConfigFor(`http://127.0.0.1:${port}`))).rejects.toThrow(FluxbenchError);
    await expect(collectFluxState(kubeConfigFor(`http://127.0.0.1:${port}`))).rejects.toThrow(/diagnose: could not list kustomizations/);
  });

  function writeKubeconfig(): string {
    const path = join(dir, 'kubeconfig');
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: fake, cluster: {server: "${api.url}", insecure-skip-tls-verify: true}}]`,
        'users: [{name: reader, user: {token: read-only}}]',
        'contexts: [{name: fake-ctx, context: {cluster: fake, user: reader}}]',
        'current-context: fake-ctx',
      ].join('\n'),
    );
    return path;
  }

  async function runCli(args: string[]): Promise<string> {
    const program = new Command().exitOverride();
    registerDiagnoseCommand(program);
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      await program.parseAsync(['node', 'fluxbench', 'diagnose', ...args]);
    } finally {
      spy.mockRestore();
    }
    return out;
  }

  it('CLI: prints the chains and exits 1 when something is stuck', async () => {
    const out = await runCli(['--kubeconfig', writeKubeconfig(), '-n', 'apps,infra']);
    expect(out).toContain('apps/web → infra/db (HealthCheckFailed) → PersistentVolumeClaim/infra/pvc-db: Pending: storageclass "fast" not found');
    expect(out).toContain('apps/front → apps/ghost: not found');
    expect(out).toContain('Missing dependencies (1):');
    expect(process.exitCode).toBe(1);
  });

  it('CLI: --json prints a Diagnosis that passes its schema', async () => {
    const out = await runCli(['--kubeconfig', writeKubeconfig(), '--json', '--context', 'fake-ctx']);
    const diagnosis = diagnosisSchema.parse(JSON.parse(out));
    expect(diagnosis.context).toBe('fake-ctx');
    expect(diagnosis.counts.missing).toBe(1);
  });

  it('CLI: --producers reveals the cycle through ConfigMaps nothing has created yet', async () => {
    const hints = join(dir, 'producers.json');
    writeFileSync(hints, JSON.stringify(fixture.producerHints));
    const diagnosis = diagnosisSchema.parse(JSON.parse(await runCli(['--kubeconfig', writeKubeconfig(), '--json', '--producers', hints])));
    expect(diagnosis.cycles.map((c) => c.ids)).toEqual([[hr('apps', 'api'), ks('apps', 'config'), ks('apps', 'release')]]);
    expect(diagnosis.findings.find((f) => f.id === ks('apps', 'release'))!.rootCause).toEqual({
      type: 'cycle',
      cycle: [ks('apps', 'release'), hr('apps', 'api'), ks('apps', 'config')],
    });
    writeFileSync(hints, JSON.stringify({ 'ConfigMap/apps/x': 'Deployment/apps/y' }));
    await expect(runCli(['--kubeconfig', writeKubeconfig(), '--producers', hints])).rejects.toThrow(/ConfigMap\/apps\/x: values must be Kustomization/);
  });

  it('CLI: exits 0 on a healthy namespace', async () => {
    const healthy = buildFluxState(graph({ [ks('ok', 'a')]: [], [ks('ok', 'b')]: [ks('ok', 'a')] }), { now });
    const server = await startFakeApiServer(resources, toServedObjects(healthy));
    try {
      const path = join(dir, 'healthy');
      writeFileSync(path, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${server.url}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`);
      const out = await runCli(['--kubeconfig', path]);
      expect(out).toContain('Nothing is stuck');
      expect(process.exitCode).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('CLI: rejects an unknown context and a missing kubeconfig with a usage error', async () => {
    await expect(runCli(['--kubeconfig', writeKubeconfig(), '--context', 'nope'])).rejects.toThrow(UsageError);
    await expect(runCli(['--kubeconfig', writeKubeconfig(), '--context', 'nope'])).rejects.toThrow(/available: fake-ctx/);
    await expect(runCli(['--kubeconfig', join(dir, 'absent')])).rejects.toThrow(/file not found/);
    await expect(runCli(['--kubeconfig', writeKubeconfig(), '--timeout', 'soon'])).rejects.toThrow(/--timeout: invalid duration "soon"/);
    await expect(runCli(['--kubeconfig', writeKubeconfig(), '-n', 'apps,Bad_NS'])).rejects.toThrow(/--namespace Bad_NS: not a namespace name/);
  });
});
