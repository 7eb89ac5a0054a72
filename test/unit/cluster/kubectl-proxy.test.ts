import { testKubectl } from '../../support/kubectl.ts';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlProxyArgs, parseProxyServingLine, serviceProxyMetricsUrl, startKubectlProxy, type KubectlProxy } from '../../../src/cluster/index.ts';
import { FluxbenchError } from '../../../src/util/exit-codes.ts';

const kubectl = testKubectl();

describe('kubectl proxy helpers', () => {
  it('reads the port kubectl picked', () => {
    expect(parseProxyServingLine('Starting to serve on 127.0.0.1:43121\n')).toBe(43121);
    expect(parseProxyServingLine('W1125 some warning\n')).toBeUndefined();
  });

  it('binds loopback only and accepts only loopback hosts', () => {
    expect(kubectlProxyArgs(0)).toEqual(['proxy', '--port=0', '--address=127.0.0.1', '--accept-hosts=^(localhost|127\\.0\\.0\\.1)$']);
  });

  it('builds service-proxy metrics URLs', () => {
    expect(serviceProxyMetricsUrl('http://127.0.0.1:8001/', 'flux-system', 'kustomize-controller-shard1-metrics')).toBe(
      'http://127.0.0.1:8001/api/v1/namespaces/flux-system/services/kustomize-controller-shard1-metrics:8080/proxy/metrics',
    );
    expect(serviceProxyMetricsUrl('http://127.0.0.1:8001', 'ns', 'svc', 9090)).toMatch(/services\/svc:9090\/proxy\/metrics$/);
  });
});

// A real kubectl proxy in front of a real HTTP server standing in for the API server's upstream:
// checks the proxy forwards the service-proxy path unchanged and that stop() ends the process.
describe('kubectl proxy, for real', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fb-proxy-'));
  const seen: string[] = [];
  let upstream: Server;
  let proxy: KubectlProxy | undefined;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.setHeader('content-type', 'text/plain');
      res.end(`# TYPE up gauge\nup{path="${req.url}"} 1\n`);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const port = (upstream.address() as { port: number }).port;
    writeFileSync(
      join(dir, 'kubeconfig'),
      `apiVersion: v1\nkind: Config\nclusters: [{name: up, cluster: {server: "http://127.0.0.1:${port}"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: c, context: {cluster: up, user: u}}]\ncurrent-context: c\n`,
    );
  });

  afterAll(async () => {
    await proxy?.stop();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves on a loopback port and forwards the service-proxy metrics path', async () => {
    proxy = await startKubectlProxy(kubectl, join(dir, 'kubeconfig'));
    expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const url = serviceProxyMetricsUrl(proxy.url, 'flux-system', 'source-controller-metrics');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('up{path="/api/v1/namespaces/flux-system/services/source-controller-metrics:8080/proxy/metrics"} 1');
    expect(seen).toContain('/api/v1/namespaces/flux-system/services/source-controller-metrics:8080/proxy/metrics');
    await proxy.stop();
    await proxy.stop();
    await expect(fetch(url)).rejects.toThrow();
    expect(() => process.kill(proxy!.pid, 0)).toThrow();
  });

  it('fails clearly when kubectl cannot start', async () => {
    await expect(startKubectlProxy(join(dir, 'no-such-kubectl'), join(dir, 'kubeconfig'))).rejects.toThrow(FluxbenchError);
    await expect(startKubectlProxy(join(dir, 'no-such-kubectl'), join(dir, 'kubeconfig'))).rejects.toThrow(/kubectl proxy could not start/);
  });

  it('refuses a missing kubeconfig instead of proxying to kubectl\'s default server', async () => {
    await expect(startKubectlProxy(kubectl, join(dir, 'missing-kubeconfig'))).rejects.toThrow(/kubeconfig .*missing-kubeconfig does not exist/);
  });

  it('fails clearly when kubectl exits before serving (port taken)', async () => {
    const taken = (upstream.address() as { port: number }).port;
    await expect(startKubectlProxy(kubectl, join(dir, 'kubeconfig'), { port: taken, startTimeoutMs: 10_000 })).rejects.toThrow(/kubectl proxy exited/);
  });
});
