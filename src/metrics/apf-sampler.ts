import type https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { apfReadings, apfSamples, type ApfReadings } from './apf.ts';
import { getLines } from './http-text.ts';
import { type Measurement, type MeasurementContext, type Ticker, defaultLog, errorMessage, rateLimitedLog, startTicker, validateInterval } from './measurement.ts';
import { linePrefixFilter, parsePrometheusText } from './prometheus.ts';

/** The APF families' series and their HELP and TYPE lines, picked from the bytes. */
const keepApfLine = linePrefixFilter(['apiserver_flowcontrol_']);

/** The API server's /metrics, only what apfLines keeps, with the kubeconfig's credentials (client certificate or token). */
async function apiServerMetrics(kubeConfig: KubeConfig, timeoutMs: number): Promise<string> {
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig names no API server');
  const options: https.RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(options);
  return getLines(new URL('/metrics', server).href, timeoutMs, keepApfLine, options);
}

/**
 * The API server's /metrics is large (2.4 MB, 18,000 lines on kube-apiserver 1.34 with a few
 * hundred Flux objects) and parsing all of it took 0.5–1.7 s of the runner's CPU; the APF
 * families are 4 % of the lines. Keeping only those lines first brings a scrape to ~15 ms. The
 * scrape applies the same filter to the bytes as they arrive (apiServerMetrics); this is it on a
 * text already read.
 */
export function apfLines(metricsText: string): string {
  return metricsText
    .split('\n')
    .filter((line) => keepApfLine(Buffer.from(line, 'utf8')))
    .join('\n');
}

/**
 * Rendering that text costs the API server too: at most one scrape per 15 s (kube-prometheus
 * scrapes the API server every 30 s), so the observer does not load what it observes.
 */
export const minApfScrapeMs = 15_000;

/**
 * Every max(interval, 15 s): scrapes the API server's /metrics and writes the APF samples of
 * apf.ts. An API server without APF metrics (APF off) is said once in the log and sampled no
 * further. Needs the run's kubeconfig; a failed scrape is logged and skipped.
 */
export class ApfSampler implements Measurement {
  readonly name = 'apf';
  private ticker: Ticker | undefined;
  private finalScrape: (() => Promise<void>) | undefined;

  /** `minScrapeMs`: the shortest time between scrapes (tests shorten it). */
  constructor(private readonly minScrapeMs = minApfScrapeMs) {}

  async start(ctx: MeasurementContext): Promise<void> {
    const interval = Math.max(validateInterval(ctx.interval), this.minScrapeMs);
    const kubeConfig = ctx.kubeConfig;
    if (!kubeConfig) return;
    const log = rateLimitedLog(ctx.log ?? defaultLog);
    let previous: ApfReadings | undefined;
    let off = false;
    const scrape = async (timeoutMs: number): Promise<void> => {
      if (off) return;
      let readings: ApfReadings;
      try {
        readings = apfReadings(parsePrometheusText(await apiServerMetrics(kubeConfig, timeoutMs)));
      } catch (err) {
        log('scrape', `scraping the API server's metrics for APF failed: ${errorMessage(err)}`);
        return;
      }
      if (readings.size === 0) {
        off = true;
        log('off', 'the API server exposes no API Priority and Fairness metrics (APF off): apf.* is not sampled');
        return;
      }
      for (const sample of apfSamples(readings, previous, Date.now())) ctx.sink.write(sample);
      previous = readings;
    };
    this.ticker = startTicker(interval, () => scrape(10_000), (err) => log('apf', `APF loop: ${errorMessage(err)}`));
    // Up to one scrape interval of the end would be lost otherwise: a short run is mostly that.
    this.finalScrape = () => scrape(3_000);
  }

  async stop(): Promise<void> {
    const ticker = this.ticker;
    this.ticker = undefined;
    if (!ticker) return;
    await ticker.stop();
    await this.finalScrape?.();
    this.finalScrape = undefined;
  }
}
