/**
 * The default local cluster is production-faithful where Flux's behaviour depends on it: its API
 * server runs API Priority and Fairness, so the Flux controllers turn their client-side rate
 * limiter off (fluxcd/pkg/runtime/client: QPS and burst -1 when the API server answers with
 * APF's X-Kubernetes-PF-FlowSchema-UID header). The controllers log nothing about it, so the
 * proof is their behaviour: source-controller is started with --kube-api-qps=1
 * --kube-api-burst=1 and must still make far more requests than that limit allows.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parsePrometheusText, sumFamily } from '../../src/metrics/prometheus.ts';
import type { Environment } from '../../src/providers/index.ts';
import { kubectl, startTestEnvironment, waitFor } from './helpers.ts';

const qps = 1;
const burst = 1;
const repositories = 40;

describe('API Priority and Fairness on the default local cluster', () => {
  const toolchain = inject('toolchain');
  let env: Environment;
  let k: ReturnType<typeof kubectl>;

  beforeAll(async () => {
    env = await startTestEnvironment(toolchain, {
      runDir: mkdtempSync(join(tmpdir(), 'fb-e2e-apf-')),
      controllers: { source: { kubeApiQps: qps, kubeApiBurst: burst }, kustomize: { shards: 0 }, helm: { enabled: false }, notification: { enabled: false } },
    });
    k = kubectl(toolchain, env.cluster.kubeconfigPath);
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('serves the default FlowSchemas (the API server runs APF)', async () => {
    const names = (await k(['get', 'flowschemas', '-o', 'jsonpath={.items[*].metadata.name}'])).split(/\s+/);
    expect(names).toEqual(expect.arrayContaining(['exempt', 'catch-all', 'global-default', 'system-leader-election']));
  });

  it('runs source-controller without its client-side limiter', async () => {
    const source = env.flux.find('source-controller')[0]!;
    const requests = async (): Promise<number> => {
      const res = await fetch(source.metricsUrl, { signal: AbortSignal.timeout(5_000) });
      return sumFamily(parsePrometheusText(await res.text()), 'rest_client_requests_total') ?? 0;
    };
    const before = await requests();
    const started = Date.now();
    // Each GitRepository costs source-controller at least one request (a finalizer patch, then
    // status patches and events), all at once: its Git host refuses connections at once.
    const objects = Array.from(
      { length: repositories },
      (_, i) => `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: apf-${i}, namespace: flux-system}
spec: {interval: 10m, url: "http://127.0.0.1:1/fleet/apf-${i}.git", ref: {branch: main}}
`,
    );
    await k(['apply', '-f', '-'], objects.join('---\n'));
    const made = await waitFor(
      `source-controller to make ${repositories} API requests (a limiter of ${qps}/s would need ${(repositories - burst) / qps}s)`,
      async () => {
        const delta = (await requests()) - before;
        return delta >= repositories ? delta : undefined;
      },
      30_000,
    );
    const seconds = (Date.now() - started) / 1_000;
    // A token bucket of `qps` per second holding `burst` lets through at most qps × t + burst.
    expect(made, `${made} requests in ${seconds.toFixed(1)}s with --kube-api-qps=${qps} --kube-api-burst=${burst}`).toBeGreaterThan(qps * seconds + burst);
  });
});
