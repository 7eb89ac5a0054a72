import type https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { getText } from './http-text.ts';
import { type Measurement, type MeasurementContext, type SpokeTarget, type Ticker, errorMessage, startTicker, validateInterval } from './measurement.ts';

/** A probe that takes longer than this counts as no answer (a paused API server accepts the connection and never answers). */
export const spokeProbeTimeoutMs = 3_000;

interface Probe {
  name: string;
  url: string;
  options: https.RequestOptions;
}

async function probeFor(spoke: SpokeTarget): Promise<Probe> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(spoke.kubeconfigPath);
  const options: https.RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(options);
  // One item of a list every cluster has: the API server's and etcd's round trip, nothing heavier.
  return { name: spoke.name, url: new URL('/api/v1/namespaces?limit=1', spoke.apiServerUrl).href, options };
}

/**
 * Every sampling interval, a one-item list on each spoke's API server with that spoke's
 * credentials: `fleet`/`api_latency` (seconds, labelled `{spoke}`) when it answers,
 * `fleet`/`unreachable` (detail.error: the address and the client's reason) when it does not
 * within spokeProbeTimeoutMs, `fleet`/`api_error` when it answers with another status (429, 401). At start, one `fleet`/`spoke` sample per spoke names its API server,
 * so the report lists a spoke even if it never answered. Probes run in parallel; one spoke's
 * silence never delays the others'.
 */
export class FleetSampler implements Measurement {
  readonly name = 'fleet';
  private ticker: Ticker | undefined;

  /** `timeoutMs`: how long a probe may take before it counts as no answer (tests shorten it). */
  constructor(private readonly options: { timeoutMs?: number } = {}) {}

  async start(ctx: MeasurementContext): Promise<void> {
    const interval = validateInterval(ctx.interval);
    const spokes = ctx.spokes ?? [];
    const probes = await Promise.all(spokes.map(probeFor));
    const now = Date.now();
    for (const spoke of spokes) ctx.sink.write({ ts: now, kind: 'fleet', name: 'spoke', labels: { spoke: spoke.name }, detail: { apiServerUrl: spoke.apiServerUrl } });
    this.ticker = startTicker(
      interval,
      async () => {
        await Promise.all(
          probes.map(async (probe) => {
            const started = performance.now();
            const ts = Date.now();
            try {
              await getText(probe.url, this.options.timeoutMs ?? spokeProbeTimeoutMs, probe.options);
              ctx.sink.write({ ts, kind: 'fleet', name: 'api_latency', value: (performance.now() - started) / 1000, labels: { spoke: probe.name } });
            } catch (err) {
              const error = errorMessage(err, 200);
              // An answer that is not 200 (APF's 429, a 401) is an answering API server, not an unreachable one.
              const name = /: HTTP \d{3}$/.test(error) ? 'api_error' : 'unreachable';
              ctx.sink.write({ ts, kind: 'fleet', name, labels: { spoke: probe.name }, detail: { error } });
            }
          }),
        );
      },
      () => undefined,
    );
  }

  async stop(): Promise<void> {
    await this.ticker?.stop();
    this.ticker = undefined;
  }
}
