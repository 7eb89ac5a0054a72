import { getLines } from './http-text.ts';
import {
  type ControllerTarget,
  type Measurement,
  type MeasurementContext,
  type Ticker,
  defaultLog,
  errorMessage,
  rateLimitedLog,
  startTicker,
  validateInterval,
} from './measurement.ts';
import {
  type HistogramBucket,
  type MetricFamilies,
  histogramQuantile,
  histogramSeries,
  linePrefixFilter,
  mergeHistogramBuckets,
  parsePrometheusText,
  selectFamilies,
  subtractHistogramBuckets,
  sumFamily,
} from './prometheus.ts';
import type { Sample } from './sample.ts';

/** What one target's previous scrape leaves behind for rates and windowed quantiles. */
export interface ScrapeMemory {
  ts: number;
  cpuSecondsTotal?: number;
  reconcileBuckets?: HistogramBucket[];
}

/**
 * controller-runtime's histogram first: one series per controller and result. Flux's own has one
 * per object (kind, name, namespace), 12 buckets each: at 1,000 Kustomizations that is 12,000
 * lines a scrape, and parsing them was most of the harness's CPU. Both time the same reconciles.
 */
const runtimeHistogram = 'controller_runtime_reconcile_time_seconds';
const fluxHistogram = 'gotk_reconcile_duration_seconds';
const reconcileHistograms = [runtimeHistogram, fluxHistogram];

/** Every family controllerSamples reads, besides those of the extra samples (Flux's histogram only as a fallback). */
export const scrapedFamilies: readonly string[] = [
  'process_resident_memory_bytes',
  'go_memstats_heap_inuse_bytes',
  'process_cpu_seconds_total',
  'workqueue_depth',
  'controller_runtime_reconcile_total',
  'controller_runtime_reconcile_errors_total',
  'rest_client_requests_total',
  runtimeHistogram,
];

/**
 * The families of one scrape that controllerSamples needs: `families` (scrapedFamilies and the
 * extra samples'), and Flux's per-object histogram only when controller-runtime's is missing.
 */
export function selectControllerFamilies(text: string, families: readonly string[]): MetricFamilies {
  const selected = parsePrometheusText(selectFamilies(text, families));
  if (selected.has(runtimeHistogram)) return selected;
  for (const [name, family] of parsePrometheusText(selectFamilies(text, [fluxHistogram]))) selected.set(name, family);
  return selected;
}

/**
 * A counter's summed value by its series name, whether the family was declared with the `_total`
 * suffix (Prometheus text) or without it (OpenMetrics).
 */
function counter(families: MetricFamilies, seriesName: string): number | undefined {
  return sumFamily(families, seriesName, seriesName) ?? sumFamily(families, seriesName.replace(/_total$/, ''), seriesName);
}

/** A sample read from every scrape of a controller's /metrics, beside the scraper's own. */
export interface ScrapedSample {
  /** The sample name written (kind `controller`, labelled like every controller sample). */
  name: string;
  /** The metric families `read` looks at: only these (and the scraper's own) are parsed. */
  families: readonly string[];
  /** Its value in one scrape; undefined when the controller does not expose it. */
  read(families: MetricFamilies): number | undefined;
  /** Labels the sample carries beside the controller's own, e.g. which of its reconcilers it is about. */
  labels?: Readonly<Record<string, string>>;
}

/** A scraped sample that is the sum of one family's series (a gauge such as go_goroutines). */
export function familySample(name: string, family: string): ScrapedSample {
  return { name, families: [family], read: (families) => sumFamily(families, family) };
}

export function targetLabels(target: Pick<ControllerTarget, 'controller' | 'shard'>): Record<string, string> {
  return target.shard === undefined ? { controller: target.controller } : { controller: target.controller, shard: target.shard };
}

/**
 * Turns one scrape of a controller's /metrics into catalogue samples. `previous` is the last
 * scrape of the same target: cpu_cores is the rate between the two, and the reconcile p95 covers
 * only reconciles finished in between (the whole history on the first scrape), so a slow start
 * does not mask a later regression. A counter reset (restart) restarts both baselines.
 */
export function controllerSamples(
  families: MetricFamilies,
  target: Pick<ControllerTarget, 'controller' | 'shard'>,
  ts: number,
  previous?: ScrapeMemory,
  extraSamples: readonly ScrapedSample[] = [],
): { samples: Sample[]; memory: ScrapeMemory } {
  const base = targetLabels(target);
  const samples: Sample[] = [];
  const memory: ScrapeMemory = { ts };
  const push = (name: string, value: number | undefined, extra?: Readonly<Record<string, string>>): void => {
    if (value === undefined || Number.isNaN(value)) return;
    samples.push({ ts, kind: 'controller', name, value, labels: extra ? { ...base, ...extra } : base });
  };

  push('resident_memory_bytes', sumFamily(families, 'process_resident_memory_bytes'));
  push('go_heap_inuse_bytes', sumFamily(families, 'go_memstats_heap_inuse_bytes'));

  const cpu = counter(families, 'process_cpu_seconds_total');
  push('cpu_seconds_total', cpu);
  if (cpu !== undefined) {
    memory.cpuSecondsTotal = cpu;
    if (previous?.cpuSecondsTotal !== undefined && cpu >= previous.cpuSecondsTotal && ts > previous.ts) {
      push('cpu_cores', (cpu - previous.cpuSecondsTotal) / ((ts - previous.ts) / 1000));
    }
  }

  const queues = families.get('workqueue_depth');
  if (queues && queues.samples.length > 0) {
    let total = 0;
    for (const sample of queues.samples) {
      if (Number.isNaN(sample.value)) continue;
      total += sample.value;
      if (sample.labels.name !== undefined) push('workqueue_depth', sample.value, { queue: sample.labels.name });
    }
    push('workqueue_depth', total);
  }

  push('reconcile_total', counter(families, 'controller_runtime_reconcile_total'));
  push('reconcile_errors_total', counter(families, 'controller_runtime_reconcile_errors_total'));
  push('rest_client_requests_total', counter(families, 'rest_client_requests_total'));

  for (const histogramName of reconcileHistograms) {
    const family = families.get(histogramName);
    if (!family || family.type !== 'histogram') continue;
    const merged = mergeHistogramBuckets(histogramSeries(family).map((s) => s.buckets));
    if (merged.length === 0) continue;
    memory.reconcileBuckets = merged;
    const window = previous?.reconcileBuckets ? subtractHistogramBuckets(merged, previous.reconcileBuckets) : merged;
    push('reconcile_duration_p95_seconds', histogramQuantile(window, 0.95));
    break;
  }
  for (const extra of extraSamples) push(extra.name, extra.read(families), extra.labels);
  return { samples, memory };
}

export interface ControllerScraperOptions {
  /** Per-scrape deadline in ms (default 2000, capped at the interval). */
  timeoutMs?: number;
  /** Samples other measurements read from the same scrape (one request per controller and interval). */
  extraSamples?: readonly ScrapedSample[];
}

export interface ScrapeStats {
  ok: number;
  failed: number;
}

/**
 * Which lines of a target's /metrics a scrape decodes: the families read (`families`), and Flux's
 * per-object histogram only while the target shows no controller-runtime histogram (none before
 * its first reconcile ends, or after a restart), from its next scrape on: its reconcile
 * quantiles then start one interval later, and every scrape stays one request. Targets are keyed
 * `controller[/shard]`.
 */
export class ScrapeLines {
  private readonly plain: (line: Buffer) => boolean;
  private readonly withFluxHistogram: (line: Buffer) => boolean;
  private readonly fluxHistogramTargets = new Set<string>();

  constructor(families: readonly string[]) {
    this.plain = linePrefixFilter(families);
    this.withFluxHistogram = linePrefixFilter([...families, fluxHistogram]);
  }

  /** The line filter for the target's next scrape. */
  filterFor(target: string): (line: Buffer) => boolean {
    return this.fluxHistogramTargets.has(target) ? this.withFluxHistogram : this.plain;
  }

  /** Records what a scrape found: an answer with families but no controller-runtime histogram turns Flux's on. */
  observe(target: string, families: MetricFamilies): void {
    if (families.has(runtimeHistogram)) this.fluxHistogramTargets.delete(target);
    else if (families.size > 0) this.fluxHistogramTargets.add(target);
  }
}

/** Scrapes every controller's /metrics each interval, all targets in parallel; parses only the families it reads. */
export class ControllerScraper implements Measurement {
  readonly name = 'controller-metrics';
  private ticker: Ticker | undefined;
  private readonly memory = new Map<string, ScrapeMemory>();
  private readonly counts = new Map<string, ScrapeStats>();
  /** The families parsed out of each scrape: the scraper's own and the extra samples'. */
  private readonly families: readonly string[];
  /** Which lines each target's scrape decodes (see ScrapeLines). */
  private readonly lines: ScrapeLines;

  constructor(private readonly options: ControllerScraperOptions = {}) {
    this.families = [...scrapedFamilies, ...(options.extraSamples ?? []).flatMap((extra) => extra.families)];
    this.lines = new ScrapeLines(this.families);
  }

  async start(ctx: MeasurementContext): Promise<void> {
    const interval = validateInterval(ctx.interval);
    const timeoutMs = Math.min(this.options.timeoutMs ?? 2000, interval);
    const log = rateLimitedLog(ctx.log ?? defaultLog);
    this.ticker = startTicker(
      interval,
      async () => {
        await Promise.all(ctx.controllers.map((target) => this.scrape(target, ctx, timeoutMs, log)));
      },
      (err) => log('scraper', `controller scrape loop: ${errorMessage(err)}`),
    );
  }

  async stop(): Promise<void> {
    await this.ticker?.stop();
    this.ticker = undefined;
  }

  /** Scrapes that succeeded and failed, per `controller[/shard]`. */
  stats(): Record<string, ScrapeStats> {
    return Object.fromEntries(this.counts);
  }

  private async scrape(target: ControllerTarget, ctx: MeasurementContext, timeoutMs: number, log: (key: string, message: string) => void): Promise<void> {
    const key = target.shard === undefined ? target.controller : `${target.controller}/${target.shard}`;
    const stats = this.counts.get(key) ?? { ok: 0, failed: 0 };
    this.counts.set(key, stats);
    let families: MetricFamilies;
    const ts = Date.now();
    try {
      families = selectControllerFamilies(await getLines(target.metricsUrl, timeoutMs, this.lines.filterFor(key)), this.families);
      this.lines.observe(key, families);
      // Every Go controller exposes process and workqueue metrics: an answer without any is not /metrics.
      if (families.size === 0) throw new Error('the answer has none of the metric families a controller exposes (process_*, workqueue_*, controller_runtime_*)');
    } catch (err) {
      stats.failed += 1;
      log(`scrape:${key}`, `scraping ${key} at ${target.metricsUrl} failed: ${errorMessage(err)}`);
      return;
    }
    stats.ok += 1;
    const { samples, memory } = controllerSamples(families, target, ts, this.memory.get(key), this.options.extraSamples);
    this.memory.set(key, memory);
    for (const sample of samples) ctx.sink.write(sample);
  }
}
