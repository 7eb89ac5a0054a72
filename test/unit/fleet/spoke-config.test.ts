import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spokeControlPlane, spokeDisabledComponents, startSpokes, type SpokeClusterOptions, type SpokeClusterStarter } from '../../../src/fleet/index.ts';
import { kwokctlCreateArgs, renderKwokctlConfig, type ControlPlaneSettings } from '../../../src/providers/index.ts';
import type { Toolchain } from '../../../src/toolchain/index.ts';
import { placeholderKwokctlBinaries, toolchainKwokctl } from '../../support/toolchain-kwokctl.ts';

const binaries = placeholderKwokctlBinaries;

type Config = { options: Record<string, unknown>; componentsPatches?: Array<{ name: string; extraArgs: Array<{ key: string; value: string }> }> };

/** The hub's config as the local provider renders it (no `disable`). */
const hubConfig = (controlPlane?: ControlPlaneSettings): Config =>
  parse(renderKwokctlConfig({ kubeVersion: '1.34.4', etcdVersion: 'v3.6.16', binaries, ...(controlPlane ? { controlPlane } : {}) })) as Config;

describe('a spoke\'s kwokctl configuration', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fb-fleet-config-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** The options startSpokes hands the cluster starter, rendered as startLocalCluster renders them. */
  async function spokeConfig(controlPlane?: ControlPlaneSettings): Promise<Config> {
    const seen: SpokeClusterOptions[] = [];
    const starter: SpokeClusterStarter = async (_t, o) => {
      seen.push(o);
      throw new Error('no cluster in unit tests');
    };
    const toolchain = { cacheRoot: join(dir, 'cache'), binaries: {} } as unknown as Toolchain;
    await startSpokes({ toolchain, runId: 'fb-1', runDir: dir, names: ['spoke-01'], registry: { addKwokCluster: () => undefined }, ...(controlPlane ? { controlPlane } : {}) }, starter).catch(
      () => undefined,
    );
    const o = seen[0]!;
    expect(o.nodes).toBe(0);
    return parse(
      renderKwokctlConfig({ kubeVersion: '1.34.4', etcdVersion: 'v3.6.16', binaries, ...(o.controlPlane ? { controlPlane: o.controlPlane } : {}), ...(o.disable ? { disable: o.disable } : {}) }),
    ) as Config;
  }

  it('is the hub\'s, less kube-scheduler and the kwok controller', async () => {
    const spoke = await spokeConfig();
    const hub = hubConfig();
    expect(spoke.options.disable).toEqual(['kube-scheduler', 'kwok-controller']);
    expect(hub.options).not.toHaveProperty('disable');
    const { disable: _, ...rest } = spoke.options;
    expect(rest).toEqual(hub.options);
    // The same patches, but kube-controller-manager's: the spoke's own controllers, no leader election.
    const withoutKcm = (c: Config) => c.componentsPatches?.filter((p) => p.name !== 'kube-controller-manager');
    expect(withoutKcm(spoke)).toEqual(withoutKcm(hub));
    expect(spoke.componentsPatches?.find((p) => p.name === 'kube-controller-manager')?.extraArgs).toEqual([
      { key: 'leader-elect', value: 'false' },
      { key: 'controllers', value: 'deployment-controller,replicaset-controller,namespace-controller,serviceaccount-controller,job-controller' },
    ]);
    // kube-controller-manager stays: its Deployment controller writes what Flux's health checks read.
    expect(spoke.options.disable).not.toContain('kube-controller-manager');
    expect(spokeDisabledComponents).toEqual({ kubeScheduler: true, kwokController: true });
  });

  it('keeps API Priority and Fairness on unless turned off, as the hub does', async () => {
    const apf = (c: Config) => c.componentsPatches?.find((p) => p.name === 'kube-apiserver')?.extraArgs.find((a) => a.key === 'enable-priority-and-fairness')?.value;
    expect(apf(await spokeConfig())).toBe('true');
    const off = { apiServer: { priorityAndFairness: false } };
    expect(apf(await spokeConfig(off))).toBeUndefined();
    const apiServer = (c: Config) => c.componentsPatches?.find((p) => p.name === 'kube-apiserver');
    expect(apiServer(await spokeConfig(off))).toEqual(apiServer(hubConfig(off)));
  });

  // Proof from kwokctl itself that `disable` reaches it through the config file: its --dry-run
  // prints each component's command line and starts nothing (needs the toolchain's kwokctl).
  const real = toolchainKwokctl();
  const { kwokctl } = real;
  it.skipIf(!existsSync(kwokctl))('makes kwokctl start etcd, kube-apiserver and kube-controller-manager only (kwokctl --dry-run)', async () => {
    const config = renderKwokctlConfig({
      kubeVersion: real.versions.kubernetes,
      etcdVersion: real.versions.etcd,
      binaries: real.binaries,
      disable: spokeDisabledComponents,
      controlPlane: spokeControlPlane(undefined),
    });
    await mkdir(join(dir, 'run'));
    await writeFile(join(dir, 'run', 'kwokctl.yaml'), config);
    const args = kwokctlCreateArgs({ name: 'dry', configPath: join(dir, 'run', 'kwokctl.yaml'), kubeconfigPath: join(dir, 'run', 'kubeconfig'), waitSeconds: 1 });
    const { stdout } = await promisify(execFile)(kwokctl, ['--dry-run', ...args], { env: { ...process.env, KWOK_WORKDIR: join(dir, 'kwok') }, timeout: 30_000 });
    const started = [...stdout.matchAll(/&& (\S+) /g)].map((m) => m[1]);
    expect(started).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager']);
    // The controller-manager flags reach its command line.
    expect(stdout).toContain('--leader-elect=false');
    expect(stdout).toContain('--controllers=deployment-controller,replicaset-controller,namespace-controller,serviceaccount-controller,job-controller');
    expect(existsSync(join(dir, 'kwok'))).toBe(false);
  });
});
