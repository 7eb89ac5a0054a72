import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeSamples, flatMetrics, startMeasurements } from '../../../src/measurements/index.ts';
import { goProcessMeasurement } from '../../../src/measurements/go-process.ts';
import { controllerSamples } from '../../../src/metrics/controller-scraper.ts';
import { parsePrometheusText } from '../../../src/metrics/prometheus.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { buildSummary, renderMarkdown } from '../../../src/report/index.ts';
import { FakeMetricsEndpoint, controllerMetricsText } from '../metrics/support/fake-kube-api.ts';
import { syntheticRunMeta } from '../report/synthetic-run.ts';

/** What a Flux controller's /metrics carries from the Prometheus Go client's Go and process collectors. */
function goCollectorsText(state: { goroutines: number; openFds: number }): string {
  return [
    '# HELP go_goroutines Number of goroutines that currently exist.',
    '# TYPE go_goroutines gauge',
    `go_goroutines ${state.goroutines}`,
    '# HELP go_threads Number of OS threads created.',
    '# TYPE go_threads gauge',
    'go_threads 14',
    '# HELP process_max_fds Maximum number of open file descriptors.',
    '# TYPE process_max_fds gauge',
    'process_max_fds 1.048576e+06',
    '# HELP process_open_fds Number of open file descriptors.',
    '# TYPE process_open_fds gauge',
    `process_open_fds ${state.openFds}`,
    '',
  ].join('\n');
}

const controllerText = (state: { goroutines: number; openFds: number }) =>
  controllerMetricsText({ rssBytes: 60e6, cpuSeconds: 2, queueDepth: 0, reconciles: 10, errors: 0 }) + goCollectorsText(state);

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('go-process measurement', () => {
  const endpoint = new FakeMetricsEndpoint();
  beforeAll(async () => {
    await endpoint.start();
  });
  afterAll(async () => {
    await endpoint.stop();
  });

  it('reads goroutines and file descriptors from the controller scrape, then summarises their peaks', async () => {
    const samples: Sample[] = [];
    endpoint.body = controllerText({ goroutines: 87, openFds: 23 });
    const handle = await startMeasurements(
      { sink: { write: (s) => samples.push(s) }, controllers: [{ controller: 'source-controller', metricsUrl: endpoint.url }], interval: 100, log: () => {} },
      { proc: false, lag: false, api: false, harness: false },
    );
    const goroutines = () => samples.filter((s) => s.name === 'goroutines').map((s) => s.value);
    try {
      await until(() => goroutines().includes(87), 'a first scrape');
      endpoint.body = controllerText({ goroutines: 140, openFds: 31 });
      await until(() => goroutines().includes(140), 'the peak');
      endpoint.body = controllerText({ goroutines: 90, openFds: 25 });
      await until(() => goroutines().at(-1) === 90, 'the way down');
    } finally {
      await handle.stop();
    }
    expect(handle.measurements.map((m) => m.name)).toEqual(['controller-metrics']);
    // One request per interval and controller: the measurement rides on the existing scrape.
    expect(endpoint.requests).toBe(samples.filter((s) => s.name === 'resident_memory_bytes').length);
    const fds = samples.filter((s) => s.name === 'open_fds');
    expect(fds.every((s) => s.kind === 'controller' && s.labels?.controller === 'source-controller')).toBe(true);
    expect(samples.find((s) => s.name === 'max_fds')?.value).toBe(1_048_576);

    const metrics = flatMetrics(analyzeSamples(samples));
    expect(metrics['goroutines.source-controller.max']).toBe(140);
    expect(metrics['fds.source-controller.max']).toBe(31);

    const report = renderMarkdown(buildSummary(samples, syntheticRunMeta()));
    const section = report.slice(report.indexOf('## Goroutines and open file descriptors'));
    expect(section).toContain('| Controller | Goroutines max | Goroutines last | Open FDs max | Open FDs last | FD limit | FD limit used, max |');
    expect(section).toContain('| source-controller | 140 | 90 | 31 | 25 | 1048576 | 0% |');
  });

  it('keeps shards apart and names the worst one after the controller', () => {
    const scrape = (shard: string, goroutines: number, openFds: number, ts: number) =>
      controllerSamples(parsePrometheusText(goCollectorsText({ goroutines, openFds })), { controller: 'kustomize-controller', shard }, ts, undefined, goProcessMeasurement.scrape).samples;
    const samples = [...scrape('1', 200, 40, 1000), ...scrape('2', 120, 70, 1000), ...scrape('1', 180, 45, 2000), ...scrape('2', 130, 60, 2000)];
    const analysis = analyzeSamples(samples);
    expect(analysis.goProcess.map((s) => [s.instance, s.shard, s.goroutines?.max, s.openFds?.last, s.maxFds])).toEqual([
      ['kustomize-controller-shard1', '1', 200, 45, 1_048_576],
      ['kustomize-controller-shard2', '2', 130, 60, 1_048_576],
    ]);
    expect(flatMetrics(analysis)).toMatchObject({
      'goroutines.kustomize-controller.max': 200,
      'goroutines.kustomize-controller-shard1.max': 200,
      'goroutines.kustomize-controller-shard2.max': 130,
      'fds.kustomize-controller.max': 70,
      'fds.kustomize-controller-shard2.max': 70,
    });
  });

  it('produces nothing for a controller without the Go collectors', () => {
    const { samples } = controllerSamples(
      parsePrometheusText(controllerMetricsText({ rssBytes: 1, cpuSeconds: 1, queueDepth: 0, reconciles: 1, errors: 0 })),
      { controller: 'helm-controller' },
      1,
      undefined,
      goProcessMeasurement.scrape,
    );
    const analysis = analyzeSamples(samples);
    expect(analysis.goProcess).toEqual([]);
    expect(Object.keys(flatMetrics(analysis)).filter((name) => /^(goroutines|fds)\./.test(name))).toEqual([]);
  });
});
