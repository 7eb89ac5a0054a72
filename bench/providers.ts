/**
 * Cost of scraping controller metrics through `kubectl proxy` (how pod controllers on kind/k3s
 * are scraped) against scraping the same endpoint directly (how host-process controllers are).
 *
 * A real HTTP server on 127.0.0.1 serves a controller-sized /metrics text both directly and as
 * the upstream of a real `kubectl proxy` (its kubeconfig names that server). The API server's own
 * service-proxy hop is not included: there is no Docker-backed cluster here. Both loops are
 * bounded in count and time; the ratio proxy/direct is printed.
 *
 * Usage: npm run bench:providers [-- --scrapes 300 --seconds 30]
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { serviceProxyMetricsUrl, startKubectlProxy } from '../src/cluster/index.ts';
import { formatBytes } from '../src/util/units.ts';

const { values } = parseArgs({ options: { scrapes: { type: 'string', default: '300' }, seconds: { type: 'string', default: '30' }, kubectl: { type: 'string', default: process.env.KUBECTL ?? 'kubectl' } } });
const scrapes = Math.min(10_000, Math.max(10, Number.parseInt(values.scrapes, 10) || 300));
const budgetMs = Math.min(300, Math.max(5, Number.parseInt(values.seconds, 10) || 30)) * 1000;

// About the size of a kustomize-controller /metrics page under load (~2,000 series).
const lines: string[] = [];
for (let i = 0; i < 2000; i++) lines.push(`workqueue_depth{name="q${i % 40}",controller="c${i}"} ${i}`);
const metricsText = `# TYPE workqueue_depth gauge\n${lines.join('\n')}\n`;

async function timedScrapes(url: string, count: number, deadline: number): Promise<number[]> {
  const durations: number[] = [];
  for (let i = 0; i < count && Date.now() < deadline; i++) {
    const start = process.hrtime.bigint();
    const res = await fetch(url);
    const body = await res.text();
    if (!res.ok || body.length !== metricsText.length) throw new Error(`scrape of ${url} failed: ${res.status}, ${body.length} bytes`);
    durations.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return durations;
}

function stats(ms: number[]): { p50: number; p95: number; mean: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p95: at(0.95), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

const dir = mkdtempSync(join(tmpdir(), 'fb-bench-providers-'));
const server = createServer((_req, res) => {
  res.setHeader('content-type', 'text/plain; version=0.0.4');
  res.end(metricsText);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;
writeFileSync(
  join(dir, 'kubeconfig'),
  `apiVersion: v1\nkind: Config\nclusters: [{name: up, cluster: {server: "http://127.0.0.1:${port}"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: c, context: {cluster: up, user: u}}]\ncurrent-context: c\n`,
);
const proxy = await startKubectlProxy(values.kubectl, join(dir, 'kubeconfig'));
try {
  const deadline = Date.now() + budgetMs;
  const directUrl = `http://127.0.0.1:${port}/metrics`;
  const proxiedUrl = serviceProxyMetricsUrl(proxy.url, 'flux-system', 'kustomize-controller-metrics');
  // Warm both paths (connection set-up, JIT) before measuring.
  await timedScrapes(directUrl, 10, deadline);
  await timedScrapes(proxiedUrl, 10, deadline);
  const half = Date.now() + (deadline - Date.now()) / 2;
  const direct = stats(await timedScrapes(directUrl, scrapes, half));
  const proxied = stats(await timedScrapes(proxiedUrl, scrapes, deadline));
  const fmt = (s: { p50: number; p95: number; mean: number }) => `p50 ${s.p50.toFixed(2)} ms, p95 ${s.p95.toFixed(2)} ms, mean ${s.mean.toFixed(2)} ms`;
  console.log(`metrics page: ${formatBytes(metricsText.length)}, ${scrapes} scrapes per path`);
  console.log(`direct (baseline):  ${fmt(direct)}`);
  console.log(`via kubectl proxy:  ${fmt(proxied)}`);
  console.log(`ratio proxy/direct: p50 ${(proxied.p50 / direct.p50).toFixed(2)}x, mean ${(proxied.mean / direct.mean).toFixed(2)}x`);
} finally {
  await proxy.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
}
