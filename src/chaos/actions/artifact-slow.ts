/**
 * artifact.slow: throttles the proxy in front of source-controller's artifact server, so
 * kustomize- and helm-controller really download artifacts slowly, for `duration` or until the
 * run's end.
 */
import { z } from 'zod';
import { positiveDurationSchema, quantitySchema, quantityValue } from '../../util/field-schemas.ts';
import { parseDuration } from '../../util/units.ts';
import { durationOrRunEnd, type ChaosActionDefinition } from '../action.ts';
import { atField } from '../fields.ts';

const schema = z
  .strictObject({
    at: atField,
    action: z.literal('artifact.slow'),
    bytesPerSecond: quantitySchema.optional().meta({ description: "Cap on each artifact download from source-controller, e.g. \"256Ki\"." }),
    latency: positiveDurationSchema.optional().meta({ description: 'Delay before the first byte of every artifact download.' }),
    duration: positiveDurationSchema.optional().meta({ description: 'How long downloads stay slow; until the end of the run when omitted.' }),
  })
  .refine((a) => a.bytesPerSecond !== undefined || a.latency !== undefined, {
    error: 'artifact.slow needs bytesPerSecond, latency or both',
    path: ['bytesPerSecond'],
  });

// Self-registration of the action's type (declaration merging), so TimelineAction knows it
// without src/chaos/action.ts importing the action files.
declare module '../action.ts' {
  interface ChaosActionTypes {
    'artifact.slow': z.output<typeof schema>;
  }
}

export const artifactSlowAction: ChaosActionDefinition<typeof schema> = {
  name: 'artifact.slow',
  schema,
  requires: ['artifactProxy'],
  label: (action) => action.action,
  target: () => 'source-controller artifacts',
  endMs: (planned, _later, durationMs) => durationOrRunEnd(planned, durationMs),
  async start(action, _planned, targets) {
    const proxy = targets.flux.artifactProxy;
    if (!proxy) throw new Error(`artifact.slow needs the host-process Flux of the local provider (provider ${targets.cluster.provider})`);
    const previous = proxy.limits();
    proxy.setLimits({
      ...(action.bytesPerSecond !== undefined ? { bytesPerSecond: quantityValue(action.bytesPerSecond) } : {}),
      ...(action.latency !== undefined ? { latencyMs: parseDuration(action.latency) } : {}),
    });
    return async () => proxy.setLimits(previous);
  },
};
