import type https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { getText } from './http-text.ts';
import { type Measurement, type MeasurementContext, type SpokeTarget, type Ticker, errorMessage, startTicker, validateInterval } from './measurement.ts';
import { clockTicksPerSecond, readComponents, type CpuReading } from './proc.ts';
import type { Sample } from './sample.ts';

/** A probe that takes longer than this counts as no answer (a paused API server accepts the connection and never answers). */
export const spokeProbeTimeoutMs = 3_000;

interface Probe {
  name: string;
  /** The kubeconfig the probe was made from. */
  kubeconfig: string;
  url: string;
  options: https.RequestOptions;
}

async function probeFor(spoke: SpokeTarget): Promise<Probe> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(spoke.kubeconfig);
  const options: https.RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(options);
  // One item of a list every cluster has: the API server's and etcd's round trip, nothing heavier.
  return { name: spoke.name, kubeconfig: spoke.kubeconfig, url: new URL('/api/v1/namespaces?limit=1', spoke.apiServerUrl).href, options };
}

/**
 * What one spoke's processes cost, from /proc: `fleet`/`rss_bytes` (the sum of its components'
 * resident memory, bytes; detail.components per component) and, from the second reading on,
 * `fleet`/`cpu_cores` (the sum of their CPU time since the last reading over the wall time
 * between them; a restarted component, a new pid or start time, counts from its next reading).
 * A component whose process is gone (a stopped API server) is left out.
 */
export async function spokeProcessSamples(spoke: string, pids: Record<string, number>, previous: Map<string, CpuReading>, ts: number, ticksPerSecond: number): Promise<Sample[]> {
  const readings = await readComponents(pids, previous, ts, ticksPerSecond);
  if (readings.length === 0) return [];
  const components = Object.fromEntries(readings.map((r) => [r.component, r.snapshot.rssBytes ?? 0]));
  const rss = readings.reduce((sum, r) => sum + (r.snapshot.rssBytes ?? 0), 0);
  const rates = readings.flatMap((r) => (r.cores !== undefined ? [r.cores] : []));
  const labels = { spoke };
  const samples: Sample[] = [{ ts, kind: 'fleet', name: 'rss_bytes', value: rss, labels, detail: { components } }];
  if (rates.length > 0) samples.push({ ts, kind: 'fleet', name: 'cpu_cores', value: rates.reduce((sum, c) => sum + c, 0), labels });
  return samples;
}

/**
 * Every sampling interval, a one-item list on each spoke's API server with that spoke's
 * credentials: `fleet`/`api_latency` (seconds, labelled `{spoke}`) when it answers,
 * `fleet`/`unreachable` (detail.error: the address and the client's reason) when it does not
 * within spokeProbeTimeoutMs, `fleet`/`api_error` when it answers with another status (429, 401). At start, one `fleet`/`spoke` sample per spoke names its API server,
 * so the report lists a spoke even if it never answered. Probes run in parallel; one spoke's
 * silence never delays the others'. For a spoke whose processes run here (componentPids), the
 * same tick reads /proc for what they cost (spokeProcessSamples).
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
    const announce = (spoke: SpokeTarget) => ctx.sink.write({ ts: Date.now(), kind: 'fleet', name: 'spoke', labels: { spoke: spoke.name }, detail: { apiServerUrl: spoke.apiServerUrl } });
    for (const spoke of spokes) announce(spoke);
    const ticks = clockTicksPerSecond();
    const cpu = new Map(spokes.map((s) => [s.name, new Map<string, CpuReading>()]));
    this.ticker = startTicker(
      interval,
      async () => {
        const costs = spokes.map(async (spoke) => {
          const pids = await spoke.componentPids?.().catch(() => undefined);
          // Stamped after the pid files are read: the CPU rate divides by the time between readings.
          if (pids) for (const sample of await spokeProcessSamples(spoke.name, pids, cpu.get(spoke.name)!, Date.now(), ticks)) ctx.sink.write(sample);
        });
        await Promise.all([
          ...costs,
          ...probes.map(async (probe, i) => {
            // A spoke deleted and created again (spoke.delete) has new certificates, often on the same port.
            const spoke = spokes[i]!;
            if (probe.kubeconfig !== spoke.kubeconfig) {
              const fresh = await probeFor(spoke).catch(() => undefined);
              if (fresh) {
                probe = probes[i] = fresh;
                announce(spoke);
              }
            }
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
        ]);
      },
      () => undefined,
    );
  }

  async stop(): Promise<void> {
    await this.ticker?.stop();
    this.ticker = undefined;
  }
}
