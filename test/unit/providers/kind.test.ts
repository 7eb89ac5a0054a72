import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  apiServerFromKubeconfig,
  checkDockerEngine,
  gatewayFromNetworkInspect,
  kindCreateArgs,
  kindDeleteArgs,
  kindEtcdMetricsPort,
  parseDockerPort,
  rewriteGitBaseUrl,
  startKindCluster,
} from '../../../src/providers/index.ts';
import { FluxbenchError, UsageError } from '../../../src/util/exit-codes.ts';
import { kindNetworkInspect, writeRecordingCli } from '../../support/recording-cli.ts';

describe('kind commands', () => {
  it('creates a named cluster from the config, writing the kubeconfig where the run wants it', () => {
    expect(kindCreateArgs({ name: 'fb-run-1', configPath: '/repo/kind-config.yaml', kubeconfigPath: '/run/kubeconfig' })).toEqual([
      'create', 'cluster', '--name', 'fb-run-1', '--config', '/repo/kind-config.yaml', '--kubeconfig', '/run/kubeconfig', '--wait', '120s',
    ]);
    expect(kindCreateArgs({ name: 'x', configPath: 'c', kubeconfigPath: 'k', image: 'kindest/node:v1.34.0', waitSeconds: 300 })).toEqual([
      'create', 'cluster', '--name', 'x', '--config', 'c', '--kubeconfig', 'k', '--image', 'kindest/node:v1.34.0', '--wait', '300s',
    ]);
    expect(kindDeleteArgs('fb-run-1', '/run/kubeconfig')).toEqual(['delete', 'cluster', '--name', 'fb-run-1', '--kubeconfig', '/run/kubeconfig']);
  });

  it('refuses a cluster name kind or Docker would reject', () => {
    expect(() => kindCreateArgs({ name: 'Run_1', configPath: 'c', kubeconfigPath: 'k' })).toThrow(UsageError);
    expect(() => kindCreateArgs({ name: 'a'.repeat(51), configPath: 'c', kubeconfigPath: 'k' })).toThrow(/at most 50/);
  });
});

describe('the repository kind-config.yaml', () => {
  const config = parse(readFileSync(new URL('../../../kind-config.yaml', import.meta.url), 'utf8')) as {
    kind: string;
    apiVersion: string;
    networking: { apiServerAddress: string };
    nodes: Array<{ role: string; kubeadmConfigPatches: string[]; extraPortMappings: Array<{ containerPort: number; listenAddress: string }> }>;
  };

  it('is a kind Cluster with one control-plane node, API on loopback', () => {
    expect(config.kind).toBe('Cluster');
    expect(config.apiVersion).toBe('kind.x-k8s.io/v1alpha4');
    expect(config.nodes.map((n) => n.role)).toEqual(['control-plane']);
    expect(config.networking.apiServerAddress).toBe('127.0.0.1');
  });

  it('exposes etcd metrics inside the node and publishes them on loopback', () => {
    const patch = parse(config.nodes[0]!.kubeadmConfigPatches[0]!) as { kind: string; etcd: { local: { extraArgs: Record<string, string> } } };
    expect(patch.kind).toBe('ClusterConfiguration');
    expect(patch.etcd.local.extraArgs['listen-metrics-urls']).toBe(`http://0.0.0.0:${kindEtcdMetricsPort}`);
    expect(config.nodes[0]!.extraPortMappings).toContainEqual(expect.objectContaining({ containerPort: kindEtcdMetricsPort, listenAddress: '127.0.0.1' }));
  });
});

describe('reaching the host from kind pods', () => {
  it('reads the kind network gateway from docker network inspect', () => {
    const inspect = JSON.stringify([{ Name: 'kind', IPAM: { Config: [{ Subnet: 'fc00:f853:ccd:e793::/64', Gateway: 'fc00:f853:ccd:e793::1' }, { Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }] } }]);
    expect(gatewayFromNetworkInspect(inspect)).toBe('172.18.0.1');
    expect(gatewayFromNetworkInspect(JSON.stringify([{ IPAM: { Config: [] } }]))).toBeUndefined();
  });

  it('rewrites loopback git URLs to the host address and leaves others alone', () => {
    expect(rewriteGitBaseUrl('http://127.0.0.1:38211/fleet/apps.git', '172.18.0.1')).toBe('http://172.18.0.1:38211/fleet/apps.git');
    expect(rewriteGitBaseUrl('http://localhost:38211', '172.18.0.1')).toBe('http://172.18.0.1:38211');
    expect(rewriteGitBaseUrl('http://127.0.0.1:38211/', '172.18.0.1')).toBe('http://172.18.0.1:38211/');
    expect(rewriteGitBaseUrl('https://github.com/fluxcd/flux2', '172.18.0.1')).toBe('https://github.com/fluxcd/flux2');
    // With a port: where a forwarder on another port (k3s through testcontainers) reaches it.
    expect(rewriteGitBaseUrl('http://127.0.0.1:38211/', '172.17.0.3', 40123)).toBe('http://172.17.0.3:40123/');
  });

  it('reads the published etcd port, preferring IPv4 loopback', () => {
    expect(parseDockerPort('127.0.0.1:49153\n')).toEqual({ host: '127.0.0.1', port: 49153 });
    expect(parseDockerPort('[::]:49154\n0.0.0.0:49153\n')).toEqual({ host: '0.0.0.0', port: 49153 });
    expect(parseDockerPort('')).toBeUndefined();
  });

  it('takes the API server of the current context', () => {
    const kubeconfig = 'clusters:\n- name: a\n  cluster: {server: "https://127.0.0.1:1"}\n- name: kind-x\n  cluster: {server: "https://127.0.0.1:40211"}\ncontexts:\n- name: kind-x\n  context: {cluster: kind-x, user: kind-x}\ncurrent-context: kind-x\n';
    expect(apiServerFromKubeconfig(kubeconfig)).toBe('https://127.0.0.1:40211');
    expect(() => apiServerFromKubeconfig('clusters: []\n')).toThrow(FluxbenchError);
  });
});

// No Docker engine runs on the test machine: these exercise the real binaries up to where they need one.
describe('kind without its prerequisites', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'fb-kind-'));
  afterAll(() => rmSync(runDir, { recursive: true, force: true }));

  it('says to install kind when the binary is missing', async () => {
    const started = startKindCluster({ name: 'fb-kind-test', runDir, kindBinary: join(runDir, 'no-kind') });
    await expect(started).rejects.toThrow(FluxbenchError);
    await expect(startKindCluster({ name: 'fb-kind-test', runDir, kindBinary: join(runDir, 'no-kind') })).rejects.toThrow(
      /needs the `kind` binary .*not found.*install kind.*--provider local/,
    );
  });

  it('says to start Docker when no engine answers', async () => {
    await expect(checkDockerEngine()).rejects.toThrow(/needs a running Docker engine, and none answers.*start Docker/);
    await expect(checkDockerEngine(join(runDir, 'no-docker'))).rejects.toThrow(/docker CLI is not installed/);
  });
});

// kind and docker stand-ins record the calls; the kubeconfig handling, the relay and the teardown run for real.
describe('a kind cluster as the runner drives it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fb-kind-flow-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = join(dir, 'source-kubeconfig');
  writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters:\n- name: kind-fb\n  cluster: {server: "https://127.0.0.1:40211"}\ncontexts:\n- name: kind-fb\n  context: {cluster: kind-fb, user: kind-fb}\ncurrent-context: kind-fb\nusers:\n- name: kind-fb\n  user: {}\n');
  const kind = writeRecordingCli(dir, 'kind', [
    { args: ['version'], stdout: 'kind v0.30.0 go1.24.6 linux/amd64\n' },
    { args: ['create', 'cluster'], copyFile: { from: kubeconfig, toArgAfter: '--kubeconfig' } },
    { args: ['delete', 'cluster'] },
  ]);
  const docker = writeRecordingCli(dir, 'docker', [
    { args: ['info'], stdout: '28.3.0\n' },
    { args: ['port'], stdout: '127.0.0.1:49153\n' },
    { args: ['network', 'inspect', 'kind'], stdout: kindNetworkInspect('127.0.0.2') },
  ]);

  it('creates the cluster, relays a loopback server to the kind gateway, and deletes it all at stop', async () => {
    const server = createServer((_req, res) => res.end('fake github'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as { port: number }).port;
    const runDir = join(dir, 'run');
    const cluster = await startKindCluster({ name: 'fb-kind-flow', runDir, kindBinary: kind.path, dockerBinary: docker.path, kindConfigPath: 'kind-config.yaml' });
    try {
      expect(cluster.apiServerUrl).toBe('https://127.0.0.1:40211');
      expect(cluster.etcdMetricsUrl).toBe('http://127.0.0.1:49153/metrics');
      expect(statSync(cluster.kubeconfigPath).mode & 0o777).toBe(0o600);
      const address = await cluster.exposeToPods!(port);
      expect({ host: address.host, port: address.port }).toEqual({ host: '127.0.0.2', port });
      expect(await (await fetch(`http://127.0.0.2:${port}/`)).text()).toBe('fake github');
    } finally {
      await cluster.stop();
      await cluster.stop();
      server.close();
    }
    await expect(fetch(`http://127.0.0.2:${port}/`)).rejects.toThrow();
    expect(kind.calls()).toEqual([
      ['version'],
      ['create', 'cluster', '--name', 'fb-kind-flow', '--config', resolve('kind-config.yaml'), '--kubeconfig', join(runDir, 'kubeconfig'), '--wait', '120s'],
      ['delete', 'cluster', '--name', 'fb-kind-flow', '--kubeconfig', join(runDir, 'kubeconfig')],
    ]);
    expect(docker.calls()).toEqual([['info', '--format', '{{.ServerVersion}}'], ['port', 'fb-kind-flow-control-plane', '2381/tcp'], ['network', 'inspect', 'kind']]);
  });
});
