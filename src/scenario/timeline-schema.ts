/**
 * The actions a scenario's timeline can schedule. Each is a strict object told apart by
 * `action` (and `github.fault` further by `fault`), so a typo in an action name or a parameter
 * is reported with the list of what is allowed there.
 */
import { z } from 'zod';
import { fluxControllerNames } from '../toolchain/index.ts';
import { durationSchema, nonNegativeIntSchema, positiveDurationSchema, positiveIntSchema, quantitySchema } from './field-schemas.ts';

export const controllerNameSchema = z.enum(fluxControllerNames);
export type ControllerName = z.output<typeof controllerNameSchema>;

/** Flux kinds that have `spec.suspend`. */
export const suspendableKinds = [
  'GitRepository',
  'OCIRepository',
  'Bucket',
  'HelmRepository',
  'HelmChart',
  'Kustomization',
  'HelmRelease',
] as const;

export const githubFaultKinds = ['latency', 'errors', 'reset', 'outage', 'bandwidth'] as const;
export type GitHubFaultKind = (typeof githubFaultKinds)[number];

export const pausableComponents = ['etcd', 'kube-apiserver'] as const;

export const killSignals = ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT'] as const;

const at = durationSchema.meta({ description: 'Offset from the start of the measure phase, e.g. "30s".' });
const kubernetesName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, { error: 'expected a Kubernetes object name (lowercase letters, digits, "-" and ".")' });
const kindName = z.string().regex(/^[A-Z][A-Za-z0-9]*$/, { error: 'expected a Kubernetes kind such as "Kustomization"' });
const repoSelector = z
  .string()
  .regex(/^[A-Za-z0-9*][A-Za-z0-9._*-]*\/[A-Za-z0-9*][A-Za-z0-9._*-]*$/, {
    error: 'expected "<owner>/<repo>" (globs with * allowed, e.g. "fleet/app-*")',
  });
const ratio = z.number().gt(0, { error: 'must be greater than 0' }).max(1, { error: 'must be at most 1 (a fraction of requests)' });
/** The statuses the fake GitHub's fault injection answers with. */
export const faultStatuses = [500, 502, 503] as const;
const faultStatus = z.literal(faultStatuses);
const shard = nonNegativeIntSchema.meta({ description: 'Shard index of a sharded controller (0 = the main instance).' });

const churnStart = z.strictObject({
  at,
  action: z.literal('churn.start'),
  repo: repoSelector.optional().meta({ description: 'Repository to push to; every generated repo when omitted.' }),
  rate: z.number().gt(0, { error: 'must be greater than 0 (commits per second)' }).meta({ description: 'Commits per second.' }),
  apps: z.string().min(1).optional().meta({ description: 'Glob of app names whose manifests the commits change, e.g. "app-*".' }),
  bytes: quantitySchema.optional().meta({ description: 'Size of the change each commit makes.' }),
  maxCommits: positiveIntSchema.optional().meta({ description: 'Stop after this many commits.' }),
});

const churnStop = z.strictObject({
  at,
  action: z.literal('churn.stop'),
  repo: repoSelector.optional().meta({ description: 'Stop only the churn on this repository; all churn when omitted.' }),
});

const faultCommon = {
  at,
  action: z.literal('github.fault'),
  repo: repoSelector.optional().meta({ description: 'Only requests for this repository; all when omitted.' }),
  route: z.string().min(1).optional().meta({ description: 'Glob over fake GitHub route names ("git.*", "rest.commit", "pages"); all when omitted.' }),
  duration: positiveDurationSchema.optional().meta({ description: 'How long the fault lasts; until the end of the run when omitted.' }),
};

const githubFault = z.discriminatedUnion('fault', [
  z.strictObject({
    ...faultCommon,
    fault: z.literal('latency'),
    delay: positiveDurationSchema.meta({ description: 'Added to every response.' }),
    jitter: durationSchema.optional().meta({ description: 'Random extra delay up to this much.' }),
  }),
  z.strictObject({
    ...faultCommon,
    fault: z.literal('errors'),
    status: faultStatus.default(503),
    rate: ratio.default(1).meta({ description: 'Fraction of requests that fail.' }),
  }),
  z.strictObject({
    ...faultCommon,
    fault: z.literal('reset'),
    rate: ratio.default(1).meta({ description: 'Fraction of connections reset.' }),
  }),
  z.strictObject({ ...faultCommon, fault: z.literal('outage'), status: faultStatus.default(503) }),
  z.strictObject({
    ...faultCommon,
    fault: z.literal('bandwidth'),
    bytesPerSecond: quantitySchema.meta({ description: 'Throughput cap, e.g. "64Ki".' }),
  }),
]);

const githubRateLimit = z.strictObject({
  at,
  action: z.literal('github.ratelimit'),
  identity: z.string().min(1).optional().meta({ description: 'Token identity to change; all when omitted.' }),
  limit: positiveIntSchema.optional().meta({ description: 'Requests allowed per window.' }),
  window: positiveDurationSchema.optional().meta({ description: 'Length of the quota window (compressed time), e.g. "1m".' }),
  remaining: nonNegativeIntSchema.optional().meta({ description: 'Set the remaining quota now (0 = exhausted), for the identity or for everyone.' }),
  duration: positiveDurationSchema.optional().meta({ description: 'Restore the previous limits after this long.' }),
});

const controllerKill = z.strictObject({
  at,
  action: z.literal('controller.kill'),
  controller: controllerNameSchema,
  shard: shard.optional(),
  signal: z.enum(killSignals).default('SIGKILL'),
});

const controllerMemoryLimit = z.strictObject({
  at,
  action: z.literal('controller.memoryLimit'),
  controller: controllerNameSchema,
  shard: shard.optional(),
  limit: quantitySchema.meta({ description: 'New memory limit (cgroup); the kernel OOM-kills the controller above it.' }),
});

const componentPause = z.strictObject({
  at,
  action: z.literal('component.pause'),
  component: z.enum(pausableComponents),
  duration: positiveDurationSchema.meta({ description: 'How long the component stays frozen (SIGSTOP .. SIGCONT).' }),
});

const artifactSlow = z
  .strictObject({
    at,
    action: z.literal('artifact.slow'),
    bytesPerSecond: quantitySchema.optional().meta({ description: "Cap on each artifact download from source-controller, e.g. \"256Ki\"." }),
    latency: positiveDurationSchema.optional().meta({ description: 'Delay before the first byte of every artifact download.' }),
    duration: positiveDurationSchema.optional().meta({ description: 'How long downloads stay slow; until the end of the run when omitted.' }),
  })
  .refine((a) => a.bytesPerSecond !== undefined || a.latency !== undefined, {
    error: 'artifact.slow needs bytesPerSecond, latency or both',
    path: ['bytesPerSecond'],
  });

const objectDelete = z.strictObject({
  at,
  action: z.literal('object.delete'),
  kind: kindName,
  namespace: kubernetesName.optional(),
  name: kubernetesName,
});

const fluxTarget = {
  at,
  kind: z.enum(suspendableKinds),
  namespace: kubernetesName.optional(),
  name: kubernetesName.optional().meta({ description: 'One object; every object of the kind when omitted.' }),
};
const fluxSuspend = z.strictObject({ ...fluxTarget, action: z.literal('flux.suspend') });
const fluxResume = z.strictObject({ ...fluxTarget, action: z.literal('flux.resume') });


export const timelineActionSchema = z.discriminatedUnion('action', [
  churnStart,
  churnStop,
  githubFault,
  githubRateLimit,
  controllerKill,
  controllerMemoryLimit,
  componentPause,
  artifactSlow,
  objectDelete,
  fluxSuspend,
  fluxResume,
]);

export type TimelineAction = z.output<typeof timelineActionSchema>;
export type TimelineActionName = TimelineAction['action'];
