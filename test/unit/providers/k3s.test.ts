import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeKubeconfigFile } from '../../../src/cluster/index.ts';
import { addressFromHostsFile, defaultK3sImage, normalizeKubeconfig, startK3sCluster, testcontainersHostAlias, type K3sModules } from '../../../src/providers/index.ts';
import { FluxbenchError } from '../../../src/util/exit-codes.ts';

const k3sKubeconfig = (server: string) => `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: Q0E=
    server: ${server}
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
kind: Config
users:
- name: default
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
`;

describe('k3s kubeconfig handling', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fb-k3s-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps a loopback server and rewrites localhost to 127.0.0.1', () => {
    expect(normalizeKubeconfig(k3sKubeconfig('https://127.0.0.1:32771'))).toEqual({ text: k3sKubeconfig('https://127.0.0.1:32771'), apiServerUrl: 'https://127.0.0.1:32771' });
    const rewritten = normalizeKubeconfig(k3sKubeconfig('https://localhost:32771'));
    expect(rewritten.apiServerUrl).toBe('https://127.0.0.1:32771');
    expect(rewritten.text).toBe(k3sKubeconfig('https://127.0.0.1:32771'));
  });

  it('rejects kubeconfigs without a server or a current context', () => {
    expect(() => normalizeKubeconfig('apiVersion: v1\nclusters: []\n')).toThrow(/names no API server/);
    expect(() => normalizeKubeconfig(k3sKubeconfig('https://127.0.0.1:1').replace('current-context: default\n', ''))).toThrow(/no current-context/);
    expect(() => normalizeKubeconfig('clusters: [\n')).toThrow(/not valid YAML/);
  });

  it('writes the kubeconfig readable by its owner only, also over a file that was wider open', async () => {
    const path = join(dir, 'kubeconfig');
    writeFileSync(path, 'old', { mode: 0o644 });
    await writeKubeconfigFile(path, k3sKubeconfig('https://127.0.0.1:32771'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toContain('server: https://127.0.0.1:32771');
  });

  it('defaults to the k3s release of the toolchain Kubernetes', () => {
    expect(defaultK3sImage).toBe('rancher/k3s:v1.34.4-k3s1');
  });

  // Real testcontainers call: without a container runtime it fails fast, and the error must say what to start.
  it('names Docker when testcontainers finds no container runtime', async () => {
    const started = Date.now();
    const error = await startK3sCluster({ name: 'fb-k3s-test', runDir: join(dir, 'run') }).then(
      // On a machine with Docker this starts k3s for real: stop it, and the assertion below reports it.
      async (cluster) => (await cluster.stop(), cluster),
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(FluxbenchError);
    expect((error as Error).message).toMatch(/k3s provider needs a running Docker engine.*container runtime.*start Docker, or use --provider local/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe('pods of a k3s cluster reaching this machine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fb-k3s-host-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads an address out of an /etc/hosts file, ignoring comments', () => {
    const hosts = '127.0.0.1\tlocalhost\n# 10.0.0.9 host.testcontainers.internal\n172.17.0.3\thost.testcontainers.internal\n172.17.0.4 k3s-node other\n';
    expect(addressFromHostsFile(hosts, testcontainersHostAlias)).toBe('172.17.0.3');
    expect(addressFromHostsFile(hosts, 'other')).toBe('172.17.0.4');
    expect(addressFromHostsFile(hosts, 'missing')).toBeUndefined();
  });

  // testcontainers' own classes need a Docker engine; these stand-ins record what the provider asks of them and when.
  function recordingModules(hostsFile: string): { modules: () => Promise<K3sModules>; calls: string[] } {
    const calls: string[] = [];
    class K3sContainer {
      constructor(readonly image: string) {
        calls.push(`new K3sContainer(${image})`);
      }
      withLabels(labels: Record<string, string>) {
        calls.push(`withLabels(${JSON.stringify(labels)})`);
        return {
          start: async () => {
            calls.push('start');
            return {
              getKubeConfig: () => k3sKubeconfig('https://localhost:32771'),
              getId: () => 'c0ffee',
              exec: async (command: string[]) => {
                calls.push(`exec(${command.join(' ')})`);
                return { output: hostsFile, exitCode: 0 };
              },
              stop: async () => calls.push('stop'),
            };
          },
        };
      }
    }
    const TestContainers = {
      exposeHostPorts: async (...ports: number[]) => {
        calls.push(`exposeHostPorts(${ports.join(',')})`);
      },
    };
    return { modules: async () => ({ K3sContainer, TestContainers }), calls };
  }

  it('exposes the host ports before the container starts, then gives pods the forwarder address', async () => {
    const { modules, calls } = recordingModules('127.0.0.1 localhost\n172.17.0.3 host.testcontainers.internal\n');
    const cluster = await startK3sCluster({ name: 'fb-k3s-unit', runDir: join(dir, 'a'), image: 'rancher/k3s:test', hostPorts: [38211, 38211], modules });
    expect(cluster.apiServerUrl).toBe('https://127.0.0.1:32771');
    expect(readFileSync(cluster.kubeconfigPath, 'utf8')).toContain('server: https://127.0.0.1:32771');
    const address = await cluster.exposeToPods!(38211);
    expect({ host: address.host, port: address.port }).toEqual({ host: '172.17.0.3', port: 38211 });
    await expect(cluster.exposeToPods!(40000)).rejects.toThrow(/port 40000 was not exposed when the k3s container started \(exposed: 38211\)/);
    await cluster.stop();
    await cluster.stop();
    expect(calls).toEqual([
      'exposeHostPorts(38211)',
      'new K3sContainer(rancher/k3s:test)',
      'withLabels({"fluxbench.cluster":"fb-k3s-unit"})',
      'start',
      'exec(cat /etc/hosts)',
      'stop',
    ]);
  });

  it('exposes nothing when no port is asked for, and says so when the alias is missing', async () => {
    const { modules, calls } = recordingModules('127.0.0.1 localhost\n');
    const cluster = await startK3sCluster({ name: 'fb-k3s-unit', runDir: join(dir, 'b'), modules, hostPorts: [1234] });
    await expect(cluster.exposeToPods!(1234)).rejects.toThrow(/no host\.testcontainers\.internal entry/);
    await cluster.stop();
    const bare = recordingModules('');
    await (await startK3sCluster({ name: 'fb-k3s-unit', runDir: join(dir, 'c'), modules: bare.modules })).stop();
    expect(bare.calls.some((c) => c.startsWith('exposeHostPorts'))).toBe(false);
    expect(calls[0]).toBe('exposeHostPorts(1234)');
  });
});
