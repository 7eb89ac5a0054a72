import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultK3sImage, normalizeKubeconfig, startK3sCluster, writeKubeconfigFile } from '../../../src/cluster/index.ts';
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
