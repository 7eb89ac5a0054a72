import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { apfReadings, apfSamples, type ApfReadings } from './apf.ts';
import { type Measurement, type MeasurementContext, type Ticker, defaultLog, errorMessage, rateLimitedLog, startTicker, validateInterval } from './measurement.ts';
import { parsePrometheusText } from './prometheus.ts';

/** The API server's /metrics with the kubeconfig's credentials (client certificate or token). */
async function apiServerMetrics(kubeConfig: KubeConfig, timeoutMs: number): Promise<string> {
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig names no API server');
  const url = new URL('/metrics', server);
  const options: https.RequestOptions = { method: 'GET' };
  await kubeConfig.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const request = https.request(url, options, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`GET ${url.href}: HTTP ${response.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      response.on('error', reject);
    });
    const timer = setTimeout(() => request.destroy(new Error(`GET ${url.href}: no complete answer within ${timeoutMs} ms`)), timeoutMs);
    request.on('error', reject);
    request.on('close', () => clearTimeout(timer));
    request.end();
  });
}

/**
 * Each interval: scrapes the API server's /metrics (one GET, a few hundred KiB) and writes the
 * APF samples of apf.ts. An API server without APF metrics (APF off) is said once in the log
 * and sampled no further. Needs the run's kubeconfig; a failed scrape is logged and skipped.
 */
export class ApfSampler implements Measurement {
  readonly name = 'apf';
  private ticker: Ticker | undefined;

  async start(ctx: MeasurementContext): Promise<void> {
    const interval = validateInterval(ctx.interval);
    const kubeConfig = ctx.kubeConfig;
    if (!kubeConfig) return;
    const log = rateLimitedLog(ctx.log ?? defaultLog);
    let previous: ApfReadings | undefined;
    let off = false;
    this.ticker = startTicker(
      interval,
      async () => {
        if (off) return;
        let readings: ApfReadings;
        try {
          readings = apfReadings(parsePrometheusText(await apiServerMetrics(kubeConfig, Math.min(5_000, interval))));
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
      },
      (err) => log('apf', `APF loop: ${errorMessage(err)}`),
    );
  }

  async stop(): Promise<void> {
    await this.ticker?.stop();
    this.ticker = undefined;
  }
}
