import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  controllerEnv,
  makeRamTempDir,
  removeRamTempDirs,
  renderFluxInstall,
  settingsArgs,
  startFlux,
  type FluxControllersConfig,
  type KubeObject,
} from '../../../src/flux/index.ts';
import { fluxControllersFromScenario } from '../../../src/run/controllers.ts';
import { parseScenario } from '../../../src/scenario/index.ts';
import type { Toolchain } from '../../../src/toolchain/index.ts';
import { FluxbenchError } from '../../../src/util/exit-codes.ts';
import { fluxRelease295 } from '../../support/flux-release.ts';
import { writeRecordingCli } from '../../support/recording-cli.ts';

const mib = 1024 * 1024;
const ramFilesystems = new Set([0x01021994, 0x858458f6]);
const work = mkdtempSync(join(tmpdir(), 'fb-knobs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('controller knobs from the scenario', () => {
  it('maps tmpfs, kubeApiQps, kubeApiBurst and the memory limit per controller', () => {
    const scenario = parseScenario(
      'name: x\nworkload: {apps: 1}\ncontrollers:\n  kustomize: {tmpfs: true, kubeApiQps: 100, kubeApiBurst: 500, memoryLimit: 1Gi}\n',
      'x.yaml',
    );
    const config = fluxControllersFromScenario(scenario.controllers);
    expect(config.kustomize).toMatchObject({ tmpfs: true, kubeApiQps: 100, kubeApiBurst: 500, memoryLimitBytes: 1024 * mib });
    expect(config.source).toEqual({});
  });

  it('refuses a rate or burst that is not positive, naming the field', () => {
    expect(() => parseScenario('name: x\nworkload: {apps: 1}\ncontrollers:\n  source: {kubeApiQps: 0}\n', 'x.yaml')).toThrow(
      /x\.yaml:4:\d+: controllers\.source\.kubeApiQps: must be greater than 0/,
    );
    expect(() => parseScenario('name: x\nworkload: {apps: 1}\ncontrollers:\n  source: {kubeApiBurst: 1.5}\n', 'x.yaml')).toThrow(/controllers\.source\.kubeApiBurst/);
  });

  it('passes the client-side limits as flags, before the extra args (which win)', () => {
    const args = settingsArgs({ controller: 'kustomize-controller', id: 'kustomize-controller' }, { kubeApiQps: 0.5, kubeApiBurst: 20, args: ['--kube-api-qps=7'] }, []);
    expect(args).toEqual(['--kube-api-qps=0.5', '--kube-api-burst=20', '--kube-api-qps=7']);
    expect(settingsArgs({ controller: 'source-controller', id: 'source-controller' }, {}, [])).toEqual([]);
  });

  it('gives a host process GOMEMLIMIT at its memory limit, byte for byte, and TMPDIR at its RAM-backed dir', () => {
    expect(controllerEnv({ memoryLimitBytes: 512 * mib }, '/dev/shm/fluxbench-r/kustomize-controller')).toEqual({
      GOMEMLIMIT: String(512 * mib),
      TMPDIR: '/dev/shm/fluxbench-r/kustomize-controller',
    });
    expect(controllerEnv({})).toEqual({});
  });
});

describe('controller knobs on pods', () => {
  type Container = { args: string[]; env: Array<{ name: string; valueFrom?: unknown }>; volumeMounts: Array<{ name: string; mountPath: string }> };
  type PodSpec = { containers: Container[]; volumes: Array<{ name: string; emptyDir?: Record<string, unknown> }> };
  const podSpec = (objects: KubeObject[], name: string): PodSpec =>
    (objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name) as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
  const controllers: FluxControllersConfig = {
    source: {},
    kustomize: { shards: 0, tmpfs: true, kubeApiQps: 100, kubeApiBurst: 400, memoryLimitBytes: 2048 * mib },
    helm: { enabled: false },
    notification: { enabled: false },
  };
  const install = renderFluxInstall({ fluxRelease: fluxRelease295, crdDir: '/unused', controllers }, []);

  it('puts the temp volume in memory for tmpfs, as Flux documents for kustomize-controller', () => {
    const kustomize = podSpec(install.objects, 'kustomize-controller');
    expect(kustomize.volumes.find((v) => v.name === 'temp')?.emptyDir).toEqual({ medium: 'Memory' });
    expect(kustomize.containers[0]!.volumeMounts).toContainEqual({ name: 'temp', mountPath: '/tmp' });
    expect(podSpec(install.objects, 'source-controller').volumes.find((v) => v.name === 'temp')?.emptyDir).toEqual({});
  });

  it('sets GOMEMLIMIT from limits.memory as Flux\'s install does, and the client-side limits as flags', () => {
    for (const name of ['source-controller', 'kustomize-controller']) {
      expect(podSpec(install.objects, name).containers[0]!.env).toContainEqual({
        name: 'GOMEMLIMIT',
        valueFrom: { resourceFieldRef: { containerName: 'manager', resource: 'limits.memory' } },
      });
    }
    expect(podSpec(install.objects, 'kustomize-controller').containers[0]!.args).toEqual(expect.arrayContaining(['--kube-api-qps=100', '--kube-api-burst=400']));
  });
});

describe('RAM-backed temp dirs of host-process controllers', () => {
  const shmIsRam = existsSync('/dev/shm') && ramFilesystems.has(statfsSync('/dev/shm').type);
  const here = fileURLToPath(new URL('.', import.meta.url));

  it.skipIf(ramFilesystems.has(statfsSync(here).type))('refuses a root that is not RAM-backed, and a missing one, naming it', async () => {
    await expect(makeRamTempDir('unit', 'c', here)).rejects.toThrow(FluxbenchError);
    await expect(makeRamTempDir('unit', 'c', here)).rejects.toThrow(/needs .* on a RAM-backed filesystem \(tmpfs\); here it is not/);
    await expect(makeRamTempDir('unit', 'c', join(work, 'nowhere'))).rejects.toThrow(/nowhere \(a RAM-backed tmpfs\)/);
    expect(existsSync(join(here, 'fluxbench-unit'))).toBe(false);
  });

  // A stand-in controller: serves /readyz on its --health-addr, writes a file in its TMPDIR and
  // prints the environment it got, so the supervisor's real launch path is what is checked.
  const fakeController = join(work, 'fake-controller');
  writeFileSync(
    fakeController,
    `#!/usr/bin/env node
const fs = require('node:fs'), http = require('node:http'), path = require('node:path');
const health = process.argv.find((a) => a.startsWith('--health-addr=')).split('=')[1].split(':');
if (process.env.TMPDIR) fs.writeFileSync(path.join(process.env.TMPDIR, 'build'), 'x');
console.log(JSON.stringify({ GOMEMLIMIT: process.env.GOMEMLIMIT ?? null, TMPDIR: process.env.TMPDIR ?? null, KUBECONFIG: process.env.KUBECONFIG ?? null }));
http.createServer((req, res) => res.end('ok')).listen(Number(health[1]), health[0]);
`,
  );
  writeFileSync(join(work, 'package.json'), '{"type":"commonjs"}\n');
  chmodSync(fakeController, 0o755);

  it.skipIf(!shmIsRam)('starts a tmpfs controller with TMPDIR under /dev/shm and GOMEMLIMIT, and removes the folder at stop', async () => {
    const kubectl = writeRecordingCli(work, 'kubectl', [{ args: ['create', 'token'], stdout: 'sa-token-for-test\n' }, { args: [] }]);
    const runDir = mkdtempSync(join(work, 'run-'));
    const runId = `unit-knobs-${process.pid}`;
    const toolchain = {
      cacheRoot: work,
      binaries: { kubectl: kubectl.path, 'source-controller': fakeController, 'kustomize-controller': fakeController },
      crdDir: join(work, 'crds'),
      rbacDir: join(work, 'rbac'),
    } as unknown as Toolchain;
    writeFileSync(
      join(work, 'kubeconfig'),
      'apiVersion: v1\nkind: Config\ncurrent-context: admin\ncontexts: [{name: admin, context: {cluster: kwok, user: admin}}]\nclusters: [{name: kwok, cluster: {server: "https://127.0.0.1:6443", certificate-authority: /pki/ca.crt}}]\nusers: [{name: admin, user: {client-certificate: /pki/admin.crt}}]\n',
    );
    const cluster = { provider: 'local', name: 'none', kubeconfigPath: join(work, 'kubeconfig'), apiServerUrl: '', componentPids: async () => ({}), stop: async () => {} };
    const tempDirs: string[] = [];
    const flux = await startFlux({
      toolchain,
      cluster,
      runDir,
      runId,
      sink: { write: () => {} },
      controllers: { source: {}, kustomize: { shards: 0, tmpfs: true, memoryLimitBytes: 256 * mib }, helm: { enabled: false }, notification: { enabled: false } },
      onTempDir: (path) => tempDirs.push(path),
    });
    const envOf = (id: string) => JSON.parse(readFileSync(join(runDir, 'logs', `${id}.log`), 'utf8').split('\n')[0]!) as { GOMEMLIMIT: string | null; TMPDIR: string | null; KUBECONFIG: string | null };
    const runRamDir = `/dev/shm/fluxbench-${runId}`;
    try {
      // The identities folder is registered too, so a SIGKILLed run's reaper removes it.
      expect(tempDirs).toEqual([expect.stringMatching(new RegExp(`/fluxbench-identities-${runId}-[^/]+$`)), runRamDir]);
      expect(envOf('kustomize-controller')).toMatchObject({ GOMEMLIMIT: String(256 * mib), TMPDIR: `${runRamDir}/kustomize-controller` });
      // Each controller talks to the API server as its own ServiceAccount, not as the admin.
      // The kubeconfigs hold tokens: outside the run folder (the report), removed at stop.
      const identity = envOf('kustomize-controller').KUBECONFIG!;
      expect(identity).toMatch(new RegExp(`/fluxbench-identities-${runId}-[^/]+/kustomize-controller\\.kubeconfig$`));
      expect(identity.startsWith(runDir)).toBe(false);
      expect(identity.startsWith(`${tempDirs[0]}/`)).toBe(true);
      const sourceKubeconfig = readFileSync(envOf('source-controller').KUBECONFIG!, 'utf8');
      expect(sourceKubeconfig).toContain('system:serviceaccount:flux-system:source-controller');
      expect(sourceKubeconfig).toContain('token: sa-token-for-test');
      expect(sourceKubeconfig).toContain('server: https://127.0.0.1:6443');
      expect(sourceKubeconfig).not.toContain('admin.crt');
      expect(statSync(envOf('source-controller').KUBECONFIG!).mode & 0o777).toBe(0o600);
      expect(kubectl.calls().map((c) => c.slice(0, 3).join(' '))).toEqual(expect.arrayContaining(['create token source-controller', 'create token kustomize-controller']));
      expect(statSync(`${runRamDir}/kustomize-controller`).mode & 0o777).toBe(0o700);
      expect(readFileSync(`${runRamDir}/kustomize-controller/build`, 'utf8')).toBe('x');
      // Without the knobs, nothing is set for source-controller (it inherits the runner's environment).
      expect(envOf('source-controller')).toMatchObject({ GOMEMLIMIT: process.env.GOMEMLIMIT ?? null, TMPDIR: process.env.TMPDIR ?? null });
      await flux.stop();
      // stop() itself removes the run's RAM-backed folder (its files hold memory) and the identities.
      expect(existsSync(runRamDir)).toBe(false);
      expect(existsSync(identity)).toBe(false);
    } finally {
      await flux.stop();
      await removeRamTempDirs(runId);
    }
  });
});
