import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StartedCluster } from '../../src/cluster/index.ts';
import { kwokWorkdir, startLocalCluster } from '../../src/providers/index.ts';
import { RunRegistry, readRunRecords, startWatchdog } from '../../src/lifecycle/index.ts';
import type { Sample } from '../../src/metrics/sample.ts';
import { defineScenario } from '../../src/scenario/index.ts';
import { runScenario } from '../../src/run/index.ts';
import { newRunId } from '../../src/util/run-id.ts';
import { readNdjson } from '../../src/util/ndjson.ts';
import { kindNetworkInspect, writeRecordingCli, type RecordingCli } from '../support/recording-cli.ts';
import { kubectl, waitFor } from './helpers.ts';

/**
 * The runner's kind path end to end, where this machine allows it. No Docker engine runs here,
 * so `kind` and `docker` are recording stand-ins: `kind create cluster` hands over the
 * kubeconfig of a real local cluster (kwok runs its pods, so the Flux images are never pulled
 * and nothing reconciles), and the kind network's gateway is 127.0.0.2, another address of this
 * machine. Everything else is the real code path: Flux installed from the rendered manifests,
 * metrics through kubectl proxy, the fake GitHub relayed to the gateway address, pod faults and
 * the restarts they cause read back from the pods, teardown.
 */
describe('provider: kind (kind and docker recorded, the cluster real)', () => {
  const toolchain = inject('toolchain');
  const dir = mkdtempSync(join(tmpdir(), 'fb-e2e-kind-'));
  const registry = new RunRegistry(toolchain.cacheRoot, newRunId());
  let cluster: StartedCluster;
  let kind: RecordingCli;
  let docker: RecordingCli;

  beforeAll(async () => {
    startWatchdog(registry);
    const name = `fb-kind-${Date.now().toString(36)}`;
    registry.addKwokCluster({ name, kwokctl: toolchain.binaries.kwokctl!, workdir: kwokWorkdir(toolchain) });
    cluster = await startLocalCluster(toolchain, { name, runDir: join(dir, 'cluster'), nodes: 1 });
    kind = writeRecordingCli(dir, 'kind', [
      { args: ['version'], stdout: 'kind v0.30.0 go1.24.6 linux/amd64\n' },
      { args: ['create', 'cluster'], copyFile: { from: cluster.kubeconfigPath, toArgAfter: '--kubeconfig' } },
      { args: ['delete', 'cluster'] },
    ]);
    docker = writeRecordingCli(dir, 'docker', [
      { args: ['info'], stdout: '28.3.0\n' },
      { args: ['port'], stderr: 'Error: No public port 2381/tcp published\n', exitCode: 1 },
      { args: ['network', 'inspect', 'kind'], stdout: kindNetworkInspect('127.0.0.2') },
    ]);
    process.env.FLUXBENCH_KIND_BINARY = kind.path;
    process.env.FLUXBENCH_DOCKER_BINARY = docker.path;
  });

  afterAll(async () => {
    delete process.env.FLUXBENCH_KIND_BINARY;
    delete process.env.FLUXBENCH_DOCKER_BINARY;
    await cluster?.stop();
    registry.remove();
  });

  it('installs Flux as pods, serves git to them at the gateway, and faults and tears down through kind', async () => {
    const k = kubectl(toolchain, cluster.kubeconfigPath);
    const scenario = defineScenario({
      name: 'kind-e2e',
      provider: { type: 'kind', kindConfig: 'kind-config.yaml', fluxImageRepository: 'registry.example.com/mirror/fluxcd' },
      controllers: { kustomize: { concurrent: 8 } },
      workload: { layout: 'monorepo', teams: 1, apps: 2, seed: 3, flux: { auth: 'basic', sourceInterval: '5s', interval: '1m' } },
      timeline: [
        { at: '2s', action: 'controller.kill', controller: 'source-controller' },
        { at: '4s', action: 'controller.memoryLimit', controller: 'kustomize-controller', limit: '256Mi' },
      ],
      duration: '25s',
      sampling: { interval: '2s' },
      // kwok runs no containers: nothing becomes Ready, so settling only costs its timeout.
      settle: { timeout: '5s' },
    });
    const reportsDir = mkdtempSync(join(tmpdir(), 'fb-e2e-kind-reports-'));
    const running = runScenario(scenario, { scenarioPath: '<defineScenario>', reportsDir, quiet: true, log: () => {} });

    // While the run is on: the GitRepositories point at the gateway, and git clones through it with the run's token.
    const urls = await waitFor(
      'the generated GitRepositories',
      async () => {
        const out = await k(['get', 'gitrepositories', '-A', '-o', 'jsonpath={range .items[*]}{.metadata.namespace} {.spec.url} {.spec.secretRef.name}{"\\n"}{end}']);
        return out.trim() ? out.trim().split('\n').map((l) => l.split(' ')) : undefined;
      },
      120_000,
    );
    for (const [, url] of urls) expect(url).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/.+\.git$/);
    const [namespace, url, secretName] = urls[0]!;
    const secret = JSON.parse(await k(['get', 'secret', '-n', namespace!, secretName!, '-o', 'json'])) as { data: { username: string; password: string } };
    const auth = new URL(url!);
    auth.username = Buffer.from(secret.data.username, 'base64').toString();
    auth.password = Buffer.from(secret.data.password, 'base64').toString();
    const lsRemote = await execa('git', ['ls-remote', auth.toString(), 'refs/heads/main'], { env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
    expect(lsRemote.stdout).toMatch(/^[0-9a-f]{40}\trefs\/heads\/main$/);

    const result = await running;
    expect(result.exitCode).toBe(0);
    const meta = JSON.parse(readFileSync(join(result.runDir, 'run.json'), 'utf8')) as { provider: string; status: string };
    expect(meta).toMatchObject({ provider: 'kind', status: 'passed' });

    // The exact commands, in order: checks, create, gateway lookup, delete at teardown.
    const kubeconfig = join(result.runDir, 'cluster', 'kubeconfig');
    expect(kind.calls()).toEqual([
      ['version'],
      ['create', 'cluster', '--name', result.runId, '--config', resolve('kind-config.yaml'), '--kubeconfig', kubeconfig, '--wait', '120s'],
      ['delete', 'cluster', '--name', result.runId, '--kubeconfig', kubeconfig],
    ]);
    expect(docker.calls()).toEqual([['info', '--format', '{{.ServerVersion}}'], ['port', `${result.runId}-control-plane`, '2381/tcp'], ['network', 'inspect', 'kind']]);
    // The relay at the gateway is gone with the cluster.
    await expect(execa('git', ['ls-remote', auth.toString()], { env: { ...process.env, GIT_TERMINAL_PROMPT: '0' }, timeout: 10_000 })).rejects.toThrow();

    // Flux as pods from the mirror, with the scenario's settings; the install is kept with the run.
    const deployments = JSON.parse(await k(['-n', 'flux-system', 'get', 'deployments', '-o', 'json'])) as {
      items: Array<{ metadata: { name: string }; spec: { template: { spec: { containers: Array<{ image: string; args: string[]; resources: { limits: { memory: string } } }> } } } }>;
    };
    const byName = new Map(deployments.items.map((d) => [d.metadata.name, d.spec.template.spec.containers[0]!]));
    expect([...byName.keys()].sort()).toEqual(['kustomize-controller', 'source-controller']);
    expect(byName.get('source-controller')!.image).toMatch(/^registry\.example\.com\/mirror\/fluxcd\/source-controller:v\d+\.\d+\.\d+$/);
    expect(byName.get('kustomize-controller')!.args).toContain('--concurrent=8');
    expect(byName.get('kustomize-controller')!.resources.limits.memory).toBe(String(256 * 1024 * 1024));
    expect(existsSync(join(result.runDir, 'flux-install.yaml'))).toBe(true);

    // The faults went through the API server, and the pods' replacements came back as restarts.
    const samples = readNdjson<Sample>(join(result.runDir, 'samples.ndjson'));
    const processEvents = (controller: string) => samples.filter((s) => s.kind === 'process' && s.labels?.controller === controller).map((s) => [s.name, s.detail?.cause ?? s.detail?.previousCause]);
    expect(processEvents('source-controller')).toEqual([['start', undefined], ['exit', 'killed'], ['start', undefined], ['restart', 'killed']]);
    expect(processEvents('kustomize-controller')).toEqual([['start', undefined], ['memory_limit', undefined], ['exit', 'killed'], ['start', undefined], ['restart', 'killed']]);
    expect(samples.filter((s) => s.kind === 'fault' && s.name === 'start').map((s) => s.detail?.action)).toEqual(['controller.kill', 'controller.memoryLimit']);
    expect(result.summary?.processEvents.filter((e) => e.event === 'restart').map((e) => e.controller).sort()).toEqual(['kustomize-controller', 'source-controller']);
    expect(readRunRecords(toolchain.cacheRoot).some((r) => r.record.runId === result.runId)).toBe(false);
  });

  // No container runtime here: the k3s path must fail at once as a run error that says what to start, and leave nothing.
  it('ends a k3s run without a container runtime as a run error naming Docker', async () => {
    const scenario = defineScenario({
      name: 'k3s-e2e',
      provider: { type: 'k3s' },
      workload: { layout: 'monorepo', teams: 1, apps: 1, seed: 1 },
      duration: '5s',
      sampling: { interval: '1s' },
    });
    const started = Date.now();
    const result = await runScenario(scenario, { scenarioPath: '<defineScenario>', reportsDir: mkdtempSync(join(tmpdir(), 'fb-e2e-k3s-reports-')), quiet: true, log: () => {} });
    expect(result.exitCode).toBe(3);
    expect(result.summary?.run.error).toMatch(/k3s provider needs a running Docker engine.*start Docker, or use --provider local/);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(readRunRecords(toolchain.cacheRoot).some((r) => r.record.runId === result.runId)).toBe(false);
  });
});
