import { describe, expect, it } from 'vitest';
import { controlPlanePatches, providerCapabilities, reservedFlagReason, splitControlPlaneSettings } from '../../../src/providers/index.ts';
import { parseScenario } from '../../../src/scenario/index.ts';

const scenario = (provider: string) => `name: x\nprovider: ${provider}\nworkload: {apps: 1}\n`;
const errorOf = (provider: string): string => {
  try {
    parseScenario(scenario(provider), 'x.yaml');
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`provider ${provider} was accepted`);
};

describe('control-plane settings (provider.apiServer, provider.etcd, provider.controllerManager)', () => {
  it('accepts flags for the local cluster and hands them to the provider apart from its own settings', () => {
    const parsed = parseScenario(
      scenario('{type: local, etcd: {args: [--auto-compaction-retention=1000, --auto-compaction-mode=revision]}, apiServer: {args: [--v=2]}}'),
      'x.yaml',
    );
    const { controlPlane, rest } = splitControlPlaneSettings(parsed.provider);
    expect(rest).toEqual({ type: 'local', nodes: 1 });
    // priorityAndFairness defaults to true once apiServer is written at all.
    expect(controlPlane).toEqual({
      apiServer: { priorityAndFairness: true, args: ['--v=2'] },
      etcd: { args: ['--auto-compaction-retention=1000', '--auto-compaction-mode=revision'] },
    });
    expect(controlPlanePatches(controlPlane).find((p) => p.name === 'etcd')?.extraArgs).toEqual([
      { key: 'auto-compaction-retention', value: '1000' },
      { key: 'auto-compaction-mode', value: 'revision' },
    ]);
  });

  it('leaves a scenario that sets nothing with APF on (no control-plane fields at all)', () => {
    const { controlPlane } = splitControlPlaneSettings(parseScenario(scenario('{type: local}'), 'x.yaml').provider);
    expect(controlPlane).toEqual({});
    expect(controlPlanePatches(controlPlane)[0]?.extraArgs[0]).toEqual({ key: 'enable-priority-and-fairness', value: 'true' });
  });

  it('refuses a flag of the wrong shape, naming the field and the expected form', () => {
    expect(errorOf('{etcd: {args: ["--auto-compaction-mode revision"]}}')).toMatch(
      /x\.yaml:2:\d+: provider\.etcd\.args\[0\]: "--auto-compaction-mode revision" is not a flag: expected --name=value or --name/,
    );
    expect(errorOf('{apiServer: {args: ["--v=2\\n--x=1"]}}')).toMatch(/provider\.apiServer\.args\[0\]: .* is not a flag/);
    expect(errorOf('{apiServer: {args: ["v=2"]}}')).toMatch(/provider\.apiServer\.args\[0\]: "v=2" is not a flag/);
    expect(errorOf('{controllerManager: {args: ["--Concurrent=1"]}}')).toMatch(/provider\.controllerManager\.args\[0\]: .*lowercase/);
  });

  it('refuses flags fluxbench owns, naming the flag and why', () => {
    expect(errorOf('{etcd: {args: [--auto-compaction-mode=revision, --data-dir=/var/lib/etcd]}}')).toMatch(
      /provider\.etcd\.args\[1\]: --data-dir is fluxbench's to set for etcd: etcd's data lives in the cluster folder that teardown deletes/,
    );
    expect(errorOf('{etcd: {args: [--listen-client-urls=http://0.0.0.0:2379]}}')).toMatch(
      /provider\.etcd\.args\[0\]: --listen-client-urls is fluxbench's to set for etcd: fluxbench binds every component to 127\.0\.0\.1/,
    );
    expect(errorOf('{apiServer: {args: [--bind-address=0.0.0.0]}}')).toMatch(/provider\.apiServer\.args\[0\]: --bind-address is fluxbench's to set for kube-apiserver/);
    expect(errorOf('{apiServer: {args: [--secure-port=6443]}}')).toMatch(/--secure-port is fluxbench's to set/);
    expect(errorOf('{apiServer: {args: [--advertise-address=10.0.0.1]}}')).toMatch(/--advertise-address is fluxbench's to set/);
    expect(errorOf('{apiServer: {args: [--enable-priority-and-fairness=false]}}')).toMatch(/set provider\.apiServer\.priorityAndFairness instead/);
    expect(errorOf('{controllerManager: {args: [--kubeconfig=/tmp/k]}}')).toMatch(/--kubeconfig is fluxbench's to set for kube-controller-manager: the components share the certificates/);
    expect(errorOf('{etcd: {args: [--quota-backend-bytes=1]}}')).toMatch(/checks the workload's size against it/);
    // Same names are fine where the component does not own them.
    expect(reservedFlagReason('kube-controller-manager', '--concurrent-deployment-syncs=10')).toBeUndefined();
    expect(reservedFlagReason('etcd', '--snapshot-count=10000')).toBeUndefined();
  });

  it('refuses them on providers whose control plane the run does not configure, by capability', () => {
    expect(providerCapabilities('local').controlPlaneFlags).toBe(true);
    for (const type of ['kind', 'k3s', 'existing']) expect(providerCapabilities(type).controlPlaneFlags).toBe(false);
    expect(errorOf('{type: kind, etcd: {args: [--auto-compaction-mode=revision]}}')).toMatch(
      /provider\.etcd\.args: passing etcd flags needs a control plane whose flags the run sets \(provider\.type local\), not kind/,
    );
    expect(errorOf('{type: k3s, controllerManager: {args: [--v=2]}}')).toMatch(/provider\.controllerManager\.args: passing kube-controller-manager flags needs .* not k3s/);
    expect(errorOf('{type: existing, apiServer: {priorityAndFairness: false}}')).toMatch(
      /provider\.apiServer\.priorityAndFairness: turning API Priority and Fairness off needs .*\(provider\.type local\), not existing/,
    );
    // What those clusters run anyway is not refused.
    expect(parseScenario(scenario('{type: kind, apiServer: {priorityAndFairness: true}}'), 'x.yaml').provider.apiServer?.priorityAndFairness).toBe(true);
  });
});
