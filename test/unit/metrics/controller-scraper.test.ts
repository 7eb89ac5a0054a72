import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllerScraper, ScrapeLines, controllerSamples, scrapedFamilies, selectControllerFamilies } from '../../../src/metrics/controller-scraper.ts';
import { parsePrometheusText, selectFamilies } from '../../../src/metrics/prometheus.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { FakeMetricsEndpoint, controllerMetricsText } from './support/fake-kube-api.ts';

const target = { controller: 'kustomize-controller' };

describe('controllerSamples', () => {
  it('maps controller metrics onto catalogue samples', () => {
    const families = parsePrometheusText(controllerMetricsText({ rssBytes: 100e6, cpuSeconds: 10, queueDepth: 7, reconciles: 100, errors: 4 }));
    const { samples } = controllerSamples(families, target, 1000);
    const byName = (name: string, queue?: string) =>
      samples.filter((s) => s.name === name && s.labels!.queue === queue).map((s) => s.value);
    expect(byName('resident_memory_bytes')).toEqual([100e6]);
    expect(byName('go_heap_inuse_bytes')).toEqual([50e6]);
    expect(byName('cpu_seconds_total')).toEqual([10]);
    expect(byName('cpu_cores')).toEqual([]);
    expect(byName('workqueue_depth')).toEqual([8]);
    expect(byName('workqueue_depth', 'kustomization')).toEqual([7]);
    expect(byName('workqueue_depth', 'gitrepository')).toEqual([1]);
    expect(byName('reconcile_total')).toEqual([104]);
    expect(byName('reconcile_errors_total')).toEqual([4]);
    expect(byName('rest_client_requests_total')).toEqual([400]);
    // 100 observations: 50 ≤ 0.1, 90 ≤ 1, 100 ≤ 10 → p95 at rank 95, half way through (1, 10]
    expect(byName('reconcile_duration_p95_seconds')[0]).toBeCloseTo(5.5, 10);
    expect(samples.every((s) => s.kind === 'controller' && s.ts === 1000 && s.labels!.controller === 'kustomize-controller')).toBe(true);
  });

  it('reads nothing outside scrapedFamilies: the selected text gives the same samples as the whole', () => {
    const whole = [
      controllerMetricsText({ rssBytes: 100e6, cpuSeconds: 10, queueDepth: 7, reconciles: 100, errors: 4 }),
      '# TYPE go_gc_duration_seconds summary',
      'go_gc_duration_seconds{quantile="0.5"} 0.001',
      'go_gc_duration_seconds_sum 0.5',
      'go_gc_duration_seconds_count 100',
      '# TYPE workqueue_adds_total counter',
      'workqueue_adds_total{name="kustomization"} 500',
      '# TYPE controller_runtime_reconcile_time_seconds histogram',
      'controller_runtime_reconcile_time_seconds_bucket{controller="kustomization",le="1"} 9',
      'controller_runtime_reconcile_time_seconds_bucket{controller="kustomization",le="+Inf"} 10',
      'controller_runtime_reconcile_time_seconds_sum{controller="kustomization"} 4',
      'controller_runtime_reconcile_time_seconds_count{controller="kustomization"} 10',
    ].join('\n');
    const first = controllerSamples(parsePrometheusText(whole), target, 1000);
    const selected = selectFamilies(whole, scrapedFamilies);
    expect(selected).not.toContain('go_gc_duration_seconds');
    expect(selected).not.toContain('workqueue_adds_total');
    // Flux's per-object histogram is not parsed while controller-runtime's is there: the p95 comes from that one.
    expect(selected).not.toContain('gotk_reconcile_duration_seconds');
    expect(controllerSamples(selectControllerFamilies(whole, scrapedFamilies), target, 1000)).toEqual(first);
    const p95 = (families: ReturnType<typeof parsePrometheusText>) => controllerSamples(families, target, 1000).samples.find((s) => s.name === 'reconcile_duration_p95_seconds')?.value;
    // 9 of 10 at or under 1 s, the rest above: PromQL answers the highest finite bound.
    expect(p95(parsePrometheusText(whole))).toBe(1);
    // A controller without controller-runtime's histogram: Flux's is read instead.
    const fluxOnly = whole.split('\n').filter((line) => !line.includes('controller_runtime_reconcile_time_seconds')).join('\n');
    expect(selectControllerFamilies(fluxOnly, scrapedFamilies).has('gotk_reconcile_duration_seconds')).toBe(true);
    expect(p95(selectControllerFamilies(fluxOnly, scrapedFamilies))).toBeCloseTo(5.5, 10);
  });

  it('decodes Flux\'s per-object histogram only while a target shows no controller-runtime histogram', () => {
    const lines = new ScrapeLines(scrapedFamilies);
    const flux = Buffer.from('gotk_reconcile_duration_seconds_bucket{kind="Kustomization",name="a",le="1"} 3');
    const read = (text: string) => selectControllerFamilies(text, scrapedFamilies);
    const runtimeText = '# TYPE controller_runtime_reconcile_time_seconds histogram\ncontroller_runtime_reconcile_time_seconds_bucket{le="+Inf"} 1\n';
    const withoutRuntime = '# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1\n';
    expect(lines.filterFor('kustomize-controller')(flux)).toBe(false);
    // Before its first reconcile ends a controller has no controller-runtime histogram: Flux's is read from the next scrape.
    lines.observe('kustomize-controller', read(withoutRuntime));
    expect(lines.filterFor('kustomize-controller')(flux)).toBe(true);
    expect(lines.filterFor('source-controller')(flux)).toBe(false);
    // Once it shows one, Flux's is dropped again; an answer with nothing in it changes nothing.
    lines.observe('kustomize-controller', read(runtimeText));
    expect(lines.filterFor('kustomize-controller')(flux)).toBe(false);
    lines.observe('kustomize-controller', read(''));
    expect(lines.filterFor('kustomize-controller')(flux)).toBe(false);
  });

  it('computes cpu_cores and a windowed p95 from the previous scrape', () => {
    const first = controllerSamples(parsePrometheusText(controllerMetricsText({ rssBytes: 1, cpuSeconds: 10, queueDepth: 0, reconciles: 100, errors: 0 })), target, 1000);
    const text = [
      '# TYPE process_cpu_seconds_total counter',
      'process_cpu_seconds_total 11',
      '# TYPE gotk_reconcile_duration_seconds histogram',
      // 10 new reconciles, all in (0.1, 1]
      'gotk_reconcile_duration_seconds_bucket{le="0.1"} 50',
      'gotk_reconcile_duration_seconds_bucket{le="1"} 100',
      'gotk_reconcile_duration_seconds_bucket{le="10"} 110',
      'gotk_reconcile_duration_seconds_bucket{le="+Inf"} 110',
    ].join('\n');
    const second = controllerSamples(parsePrometheusText(text), { controller: 'kustomize-controller', shard: '2' }, 5000, first.memory);
    const cores = second.samples.find((s) => s.name === 'cpu_cores')!;
    expect(cores.value).toBeCloseTo(0.25, 10);
    expect(cores.labels).toEqual({ controller: 'kustomize-controller', shard: '2' });
    // the window holds only the 10 new observations, all in (0.1, 1]: rank 9.5 → 0.1 + 0.9 * 0.95
    // (the cumulative histogram would say 5.5)
    expect(second.samples.find((s) => s.name === 'reconcile_duration_p95_seconds')!.value).toBeCloseTo(0.955, 10);
  });

  it('reads counters declared the OpenMetrics way (family without _total)', () => {
    const text = [
      '# TYPE process_cpu_seconds counter',
      'process_cpu_seconds_total 7.5',
      '# TYPE controller_runtime_reconcile counter',
      'controller_runtime_reconcile_total{result="success"} 3',
      'controller_runtime_reconcile_total{result="error"} 2',
      'controller_runtime_reconcile_created{result="error"} 1700000000',
      '# EOF',
    ].join('\n');
    const { samples } = controllerSamples(parsePrometheusText(text), target, 1);
    expect(samples.map((s) => [s.name, s.value])).toEqual([
      ['cpu_seconds_total', 7.5],
      ['reconcile_total', 5],
    ]);
  });

  it('falls back to controller-runtime reconcile time and skips absent metrics', () => {
    const text = [
      '# TYPE controller_runtime_reconcile_time_seconds histogram',
      'controller_runtime_reconcile_time_seconds_bucket{controller="a",le="0.5"} 10',
      'controller_runtime_reconcile_time_seconds_bucket{controller="a",le="+Inf"} 10',
      'controller_runtime_reconcile_time_seconds_bucket{controller="b",le="0.5"} 0',
      'controller_runtime_reconcile_time_seconds_bucket{controller="b",le="+Inf"} 10',
    ].join('\n');
    const { samples } = controllerSamples(parsePrometheusText(text), target, 1);
    // 20 observations, 10 ≤ 0.5: rank 19 is in +Inf → highest finite bound
    expect(samples.map((s) => [s.name, s.value])).toEqual([['reconcile_duration_p95_seconds', 0.5]]);
  });
});

describe('ControllerScraper', () => {
  const healthy = new FakeMetricsEndpoint();
  const slow = new FakeMetricsEndpoint();
  const broken = new FakeMetricsEndpoint();

  beforeAll(async () => {
    await Promise.all([healthy.start(), slow.start(), broken.start()]);
  });
  afterAll(async () => {
    await Promise.all([healthy.stop(), slow.stop(), broken.stop()]);
  });

  it('scrapes real HTTP endpoints each interval; failed or slow scrapes emit nothing but are counted', async () => {
    let cpu = 1;
    healthy.body = controllerMetricsText({ rssBytes: 5e7, cpuSeconds: cpu, queueDepth: 3, reconciles: 10, errors: 1 });
    const timer = setInterval(() => {
      cpu += 0.05;
      healthy.body = controllerMetricsText({ rssBytes: 5e7, cpuSeconds: cpu, queueDepth: 3, reconciles: 10, errors: 1 });
    }, 50);
    slow.body = healthy.body;
    slow.delayMs = 1_000;
    broken.body = 'this is { not metrics';
    const samples: Sample[] = [];
    const logs: string[] = [];
    const scraper = new ControllerScraper({ timeoutMs: 200 });
    await scraper.start({
      sink: { write: (s) => samples.push(s) },
      controllers: [
        { controller: 'source-controller', metricsUrl: healthy.url },
        { controller: 'helm-controller', metricsUrl: slow.url },
        { controller: 'notification-controller', metricsUrl: broken.url },
        { controller: 'kustomize-controller', shard: '1', metricsUrl: 'http://127.0.0.1:1/metrics' },
      ],
      interval: 250,
      log: (m) => logs.push(m),
    });
    try {
      await new Promise((r) => setTimeout(r, 1_400));
    } finally {
      await scraper.stop();
      clearInterval(timer);
    }
    const controllers = new Set(samples.map((s) => s.labels!.controller));
    expect([...controllers]).toEqual(['source-controller']);
    const stats = scraper.stats();
    expect(stats['source-controller']!.ok).toBeGreaterThanOrEqual(4);
    expect(stats['source-controller']!.failed).toBe(0);
    expect(stats['helm-controller']!.ok).toBe(0);
    expect(stats['helm-controller']!.failed).toBeGreaterThanOrEqual(2);
    expect(stats['notification-controller']!.failed).toBeGreaterThanOrEqual(4);
    expect(stats['kustomize-controller/1']!.failed).toBeGreaterThanOrEqual(4);
    const cores = samples.filter((s) => s.name === 'cpu_cores');
    expect(cores.length).toBeGreaterThanOrEqual(3);
    // 0.05 s of CPU per 50 ms ≈ 1 core (timer jitter allowed)
    for (const sample of cores) expect(sample.value!).toBeGreaterThan(0.3);
    // One log line per failing target, not one per failed scrape.
    expect(logs.filter((m) => m.includes('notification-controller'))).toHaveLength(1);
    expect(logs.some((m) => m.includes('helm-controller') && m.includes('200 ms'))).toBe(true);
    const scrapesAfterStop = healthy.requests;
    await new Promise((r) => setTimeout(r, 400));
    expect(healthy.requests).toBe(scrapesAfterStop);
  });

  it('counts as failed an answer with none of a controller\'s families, and a malformed line in one it reads', async () => {
    const logs: string[] = [];
    const scrape = async (body: string) => {
      broken.body = body;
      const scraper = new ControllerScraper({ timeoutMs: 500 });
      await scraper.start({ sink: { write: () => {} }, controllers: [{ controller: 'source-controller', metricsUrl: broken.url }], interval: 1000, log: (m) => logs.push(m) });
      await scraper.stop();
      return scraper.stats()['source-controller']!;
    };
    // Well-formed, but nothing a Go controller exposes: not a controller's /metrics.
    expect(await scrape('# TYPE foo gauge\nfoo 1\n')).toEqual({ ok: 0, failed: 1 });
    expect(logs.at(-1)).toMatch(/none of the metric families a controller exposes/);
    // Malformed inside a family it reads: the parser's error, as before the selection.
    expect(await scrape('# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total{ 1\n')).toEqual({ ok: 0, failed: 1 });
    expect(logs.at(-1)).toMatch(/line 2/);
    // A malformed line in a family it does not read no longer fails the scrape.
    expect(await scrape(`${controllerMetricsText({ rssBytes: 1, cpuSeconds: 1, queueDepth: 0, reconciles: 1, errors: 0 })}go_info{ bad\n`)).toEqual({ ok: 1, failed: 0 });
  });
});
