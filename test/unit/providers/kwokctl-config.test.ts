import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { kwokctlCreateArgs, renderKwokctlConfig } from '../../../src/providers/index.ts';

describe('kwokctl configuration', () => {
  const binaries = {
    etcd: '/c/etcd',
    kubeApiserver: '/c/kube-apiserver',
    kubeControllerManager: '/c/kube-controller-manager',
    kubeScheduler: '/c/kube-scheduler',
    kubectl: '/c/kubectl',
    kwok: '/c/kwok',
  };

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
});
