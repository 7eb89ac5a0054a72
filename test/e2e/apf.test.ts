/**
 * The default local cluster is production-faithful where Flux's behaviour depends on it: its API
 * server runs API Priority and Fairness, so the Flux controllers turn their client-side rate
 * limiter off (fluxcd/pkg/runtime/client: QPS and burst -1 when the API server answers with
 * APF's X-Kubernetes-PF-FlowSchema-UID header). The controllers log nothing about it, so the
 * proof is their behaviour: source-controller is started with --kube-api-qps=1
 * --kube-api-burst=1 and must still make far more requests than that limit allows. The
 * controllers authenticate as their ServiceAccounts, so APF puts them in workload-low.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { ApfSampler } from '../../src/metrics/apf-sampler.ts';
import { parsePrometheusText, sumFamily } from '../../src/metrics/prometheus.ts';
import type { Sample } from '../../src/metrics/sample.ts';
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

  it('samples APF per priority level from the API server, counting the requests of the run', async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(env.cluster.kubeconfigPath);
    const samples: Sample[] = [];
    const sampler = new ApfSampler(500);
    await sampler.start({ kubeConfig, sink: { write: (s) => samples.push(s) }, controllers: [], interval: 500, log: (m) => samples.push({ ts: 0, kind: 'phase', name: m }) });
    try {
      // Work for the controllers between two scrapes: reconcile requests on the GitRepositories.
      await k(['annotate', '--overwrite', 'gitrepositories', '--all', '-n', 'flux-system', `reconcile.fluxcd.io/requestedAt=${Date.now()}`]);
      await waitFor('APF scrapes with workload-low requests', async () => (samples.some((s) => s.kind === 'apf' && s.name === 'dispatched' && s.labels!.priorityLevel === 'workload-low' && s.value! > 0) ? true : undefined), 20_000);
    } finally {
      await sampler.stop();
    }
    expect(samples.filter((s) => s.kind === 'phase').map((s) => s.name)).toEqual([]);
    // The controllers run as their ServiceAccounts (as Flux installs them), so their requests are
    // in workload-low (FlowSchema service-accounts), not exempt as an admin's would be.
    const dispatched = (level: string) => samples.filter((s) => s.kind === 'apf' && s.name === 'dispatched' && s.labels!.priorityLevel === level).reduce((sum, s) => sum + s.value!, 0);
    expect(dispatched('workload-low')).toBeGreaterThan(0);
    const seats = samples.filter((s) => s.kind === 'apf' && s.name === 'limit_seats' && s.labels!.priorityLevel === 'workload-low');
    expect(seats.length).toBeGreaterThan(0);
    expect(seats.every((s) => s.value! > 0)).toBe(true);
  });
});
