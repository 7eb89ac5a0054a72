import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { kwokctlCreateArgs, renderKwokctlConfig, type ControlPlaneSettings } from '../../../src/providers/index.ts';
import { placeholderKwokctlBinaries, toolchainKwokctl } from '../../support/toolchain-kwokctl.ts';

describe('kwokctl configuration', () => {
  const binaries = placeholderKwokctlBinaries;

  it('names every binary as a local path, so kwokctl has nothing to download', () => {
    const config = parse(renderKwokctlConfig({ kubeVersion: '1.34.4', etcdVersion: 'v3.6.16', binaries })) as {
      kind: string;
      options: Record<string, unknown>;
    };
    expect(config.kind).toBe('KwokctlConfiguration');
    expect(config.options.runtime).toBe('binary');
    expect(config.options.kubeVersion).toBe('v1.34.4');
    expect(config.options.etcdVersion).toBe('3.6.16');
    const binaryOptions = Object.entries(config.options).filter(([k]) => k.endsWith('Binary'));
    expect(binaryOptions.map(([k]) => k).sort()).toEqual(
      ['etcdBinary', 'kubeApiserverBinary', 'kubeControllerManagerBinary', 'kubeSchedulerBinary', 'kubectlBinary', 'kwokControllerBinary'].sort(),
    );
    for (const [, value] of binaryOptions) expect(String(value)).toMatch(/^\//);
  });

  it('creates the cluster with the binary runtime, its own kubeconfig and a wait', () => {
    const args = kwokctlCreateArgs({ name: 'fb-1', configPath: '/r/kwokctl.yaml', kubeconfigPath: '/r/kubeconfig', waitSeconds: 90 });
    expect(args.slice(0, 4)).toEqual(['--name', 'fb-1', '--config', '/r/kwokctl.yaml']);
    expect(args).toContain('--runtime');
    expect(args[args.indexOf('--runtime') + 1]).toBe('binary');
    expect(args[args.indexOf('--kubeconfig') + 1]).toBe('/r/kubeconfig');
    expect(args[args.indexOf('--wait') + 1]).toBe('90s');
  });

  it('gives kube-apiserver a service range for more than 254 Services', () => {
    const args = kwokctlCreateArgs({ name: 'fb-1', configPath: '/r/kwokctl.yaml', kubeconfigPath: '/r/kubeconfig', waitSeconds: 90 });
    expect(args[args.indexOf('--extra-args') + 1]).toBe('kube-apiserver=service-cluster-ip-range=10.96.0.0/16');
  });

  type Patches = Array<{ name: string; extraArgs: Array<{ key: string; value: string }> }>;
  const patchesOf = (controlPlane?: ControlPlaneSettings) =>
    (parse(renderKwokctlConfig({ kubeVersion: '1.34.4', etcdVersion: 'v3.6.16', binaries, ...(controlPlane ? { controlPlane } : {}) })) as { componentsPatches?: Patches })
      .componentsPatches ?? [];
  const flagsOf = (patches: Patches, component: string) =>
    (patches.find((p) => p.name === component)?.extraArgs ?? []).map((a) => `--${a.key}=${a.value}`);

  it('turns API Priority and Fairness back on by default, with production\'s in-flight limits', () => {
    // disableQPSLimits stays (kube-controller-manager's and kube-scheduler's client limits), and
    // passes --enable-priority-and-fairness=false: the patch comes after it and wins.
    const config = parse(renderKwokctlConfig({ kubeVersion: '1.34.4', etcdVersion: 'v3.6.16', binaries })) as { options: Record<string, unknown> };
    expect(config.options.disableQPSLimits).toBe(true);
    expect(flagsOf(patchesOf(), 'kube-apiserver')).toEqual([
      '--enable-priority-and-fairness=true',
      '--max-requests-inflight=400',
      '--max-mutating-requests-inflight=200',
    ]);
    expect(flagsOf(patchesOf({ apiServer: { priorityAndFairness: true } }), 'kube-apiserver')).toContain('--enable-priority-and-fairness=true');
  });

  it('leaves kwokctl\'s APF-off, unlimited API server when priorityAndFairness is false', () => {
    expect(patchesOf({ apiServer: { priorityAndFairness: false } })).toEqual([]);
    const flags = flagsOf(patchesOf({ apiServer: { priorityAndFairness: false, args: ['--v=2'] } }), 'kube-apiserver');
    expect(flags).toEqual(['--v=2']);
  });

  it('appends each component\'s extra flags after fluxbench\'s, bare flags as =true', () => {
    const patches = patchesOf({
      apiServer: { priorityAndFairness: true, args: ['--feature-gates=A=true,B=false', '--max-requests-inflight=800'] },
      etcd: { args: ['--auto-compaction-retention=1000', '--auto-compaction-mode=revision', '--debug'] },
      controllerManager: { args: ['--concurrent-deployment-syncs=10'] },
    });
    expect(patches.map((p) => p.name)).toEqual(['kube-apiserver', 'etcd', 'kube-controller-manager']);
    // A value holding "=" is kept whole; the scenario's flags come last, so they win.
    expect(flagsOf(patches, 'kube-apiserver').slice(-2)).toEqual(['--feature-gates=A=true,B=false', '--max-requests-inflight=800']);
    expect(flagsOf(patches, 'etcd')).toEqual(['--auto-compaction-retention=1000', '--auto-compaction-mode=revision', '--debug=true']);
    expect(flagsOf(patches, 'kube-controller-manager')).toEqual(['--concurrent-deployment-syncs=10']);
  });

  it('disables components only when asked (a fleet\'s spokes), leaving the hub\'s config as it was', () => {
    const hub = renderKwokctlConfig({ kubeVersion: '1.34.4', etcdVersion: 'v3.6.16', binaries });
    expect(parse(hub)).not.toHaveProperty('options.disable');
    expect(renderKwokctlConfig({ kubeVersion: '1.34.4', etcdVersion: 'v3.6.16', binaries, disable: {} })).toBe(hub);
    expect(renderKwokctlConfig({ kubeVersion: '1.34.4', etcdVersion: 'v3.6.16', binaries, disable: { kubeScheduler: false, kwokController: false } })).toBe(hub);
    const options = (disable: { kubeScheduler?: boolean; kwokController?: boolean }) =>
      (parse(renderKwokctlConfig({ kubeVersion: '1.34.4', etcdVersion: 'v3.6.16', binaries, disable })) as { options: Record<string, unknown> }).options;
    expect(options({ kubeScheduler: true }).disable).toEqual(['kube-scheduler']);
    expect(options({ kubeScheduler: true, kwokController: true }).disable).toEqual(['kube-scheduler', 'kwok-controller']);
  });

  it('binds every component to 127.0.0.1 and states etcd\'s quota', () => {
    const config = parse(renderKwokctlConfig({ kubeVersion: '1.34.4', etcdVersion: 'v3.6.16', binaries })) as { options: Record<string, unknown> };
    expect(config.options.bindAddress).toBe('127.0.0.1');
    expect(config.options.etcdQuotaBackendSize).toBe('8Gi');
  });

  // kwokctl's --dry-run prints the command line of every component without starting anything:
  // proof that the rendered config reaches etcd's URLs and each --bind-address, with the real
  // kwokctl of the toolchain (built by `fluxbench setup`; absent on a machine that never built it).
  const real = toolchainKwokctl();
  const { kwokctl } = real;
  it.skipIf(!existsSync(kwokctl))('makes kwokctl start every component on loopback only (kwokctl --dry-run; needs the toolchain)', async () => {
    const work = await mkdtemp(join(tmpdir(), 'fb-kwokctl-dry-'));
    try {
      const config = renderKwokctlConfig({
        kubeVersion: real.versions.kubernetes,
        etcdVersion: real.versions.etcd,
        binaries: real.binaries,
        controlPlane: { etcd: { args: ['--auto-compaction-retention=1000', '--auto-compaction-mode=revision'] } },
      });
      await writeFile(join(work, 'kwokctl.yaml'), config);
      const args = kwokctlCreateArgs({ name: 'dry', configPath: join(work, 'kwokctl.yaml'), kubeconfigPath: join(work, 'kubeconfig'), waitSeconds: 1 });
      const { stdout } = await promisify(execFile)(kwokctl, ['--dry-run', ...args], { env: { ...process.env, KWOK_WORKDIR: join(work, 'kwok') }, timeout: 30_000 });
      const line = (component: string) => stdout.split('\n').find((l) => new RegExp(`&& ${component} `).test(l)) ?? '';
      const etcd = line('etcd');
      for (const flag of ['listen-client-urls', 'listen-peer-urls', 'advertise-client-urls', 'initial-advertise-peer-urls']) {
        expect(etcd, flag).toMatch(new RegExp(`--${flag}=http://127\\.0\\.0\\.1:\\d+( |$)`));
      }
      for (const component of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) expect(line(component), component).toMatch(/--bind-address=127\.0\.0\.1 /);
      expect(line('kwok-controller')).toMatch(/--server-address=127\.0\.0\.1:\d+ /);
      expect(etcd).toMatch(/--quota-backend-bytes=8589934592 /);
      // Each component keeps a repeated flag's last value: the patches reach the command lines after kwokctl's own.
      const last = (commandLine: string, flag: string) => [...commandLine.matchAll(new RegExp(`--${flag}=(\\S*)`, 'g'))].at(-1)?.[1];
      const apiServer = line('kube-apiserver');
      expect(last(apiServer, 'enable-priority-and-fairness')).toBe('true');
      expect(last(apiServer, 'max-requests-inflight')).toBe('400');
      expect(last(apiServer, 'max-mutating-requests-inflight')).toBe('200');
      expect(last(etcd, 'auto-compaction-retention')).toBe('1000');
      expect(last(etcd, 'auto-compaction-mode')).toBe('revision');
      expect(stdout).not.toMatch(/0\.0\.0\.0/);
      // Nothing was created: a dry run.
      expect(existsSync(join(work, 'kwok'))).toBe(false);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
