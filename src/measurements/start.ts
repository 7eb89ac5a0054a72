/** Which samplers a run starts: the registry's measurements that sample, minus those turned off. */
import type { Measurement, MeasurementContext } from '../metrics/measurement.ts';
import { validateInterval } from '../metrics/measurement.ts';
import { startSamplers, type MeasurementsHandle } from '../metrics/start.ts';
import { UsageError } from '../util/exit-codes.ts';
import { measurements as registered, type MeasurementOptions } from './registry.ts';
import type { MeasurementDefinition, SamplerBuild } from './types.ts';

// Each definition's factory is called with the settings of its own option key only.
const definitions = registered as readonly MeasurementDefinition<string, object, object>[];

/** The option keys: the names of the measurements that sample at run time. */
export const samplingMeasurementNames: readonly string[] = definitions.filter((d) => d.sampler).map((d) => d.name);

/**
 * The samplers `options` asks for, in registry order, not yet started. Every sampling
 * measurement is on unless its option is `false`. Rejects with UsageError for an unknown option
 * and when an enabled measurement lacks what it needs (lag without a kubeConfig).
 */
export async function buildMeasurements(ctx: MeasurementContext, options: MeasurementOptions = {}): Promise<{ measurements: Measurement[] }> {
  const settings = options as Record<string, boolean | object | undefined>;
  for (const key of Object.keys(settings)) {
    if (!samplingMeasurementNames.includes(key)) throw new UsageError(`unknown measurement "${key}"; allowed: ${samplingMeasurementNames.join(', ')}`);
  }
  const build: SamplerBuild = {
    enabled: (name) => samplingMeasurementNames.includes(name) && settings[name] !== false,
    scrapedSamples: definitions.flatMap((d) => d.scrape ?? []),
  };
  const measurements: Measurement[] = [];
  for (const definition of definitions) {
    if (!definition.sampler || !build.enabled(definition.name)) continue;
    const value = settings[definition.name];
    const sampler = await definition.sampler.create(ctx, typeof value === 'object' ? value : {}, build);
    if (sampler) measurements.push(sampler);
  }
  return { measurements };
}

/**
 * Builds and starts the samplers a run asks for (see buildMeasurements); they stream samples to
 * `ctx.sink` until `stop()`. Throws UsageError for a bad interval or option, FluxbenchError when
 * a sampler fails to start (those already started are stopped first).
 */
export async function startMeasurements(ctx: MeasurementContext, options: MeasurementOptions = {}): Promise<MeasurementsHandle> {
  validateInterval(ctx.interval);
  return startSamplers(ctx, (await buildMeasurements(ctx, options)).measurements);
}
