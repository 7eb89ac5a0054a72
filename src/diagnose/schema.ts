import { z } from 'zod';

/** The typed result of a diagnosis: what `--json` prints and the run report embeds. */

export const edgeViaSchema = z.enum(['dependsOn', 'needs', 'source', 'healthCheck']);

export const eventSummarySchema = z.object({
  type: z.string(),
  reason: z.string(),
  message: z.string(),
  time: z.string(),
  count: z.number(),
});
export type EventSummary = z.infer<typeof eventSummarySchema>;

/** One step in the chain from a stuck object to its root cause. */
export const chainHopSchema = z.object({
  id: z.string(),
  /** How the previous hop waits on this one; absent on the first hop. */
  via: edgeViaSchema.optional(),
  /** For `needs`: the ConfigMap/Secret that links the two. */
  through: z.string().optional(),
  ready: z.string().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  events: z.array(eventSummarySchema),
});
export type ChainHop = z.infer<typeof chainHopSchema>;

export const rootCauseSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('cycle'), cycle: z.array(z.string()) }),
  z.object({ type: z.literal('missing'), id: z.string(), referencedBy: z.string() }),
  z.object({ type: z.literal('suspended'), id: z.string() }),
  z.object({
    type: z.literal('object'),
    id: z.string(),
    reason: z.string(),
    message: z.string(),
    /** When the root is not a Flux object (a PVC a health check waits on): the Flux object that waits on it. */
    fluxObject: z.string().optional(),
  }),
]);
export type RootCause = z.infer<typeof rootCauseSchema>;

export const symptomTypeSchema = z.enum([
  'attempted_ne_applied',
  'stale_revision',
  'dependency_not_ready',
  'failing',
  'stalled',
  'stale_progress',
  'reconcile_request_unhandled',
  'in_cycle',
  'missing_dependency',
  /** A GitRepository whose clone ran into its spec.timeout. */
  'clone_timeout',
  /** An OCI source the registry's pull limit refused (429 TOOMANYREQUESTS). */
  'registry_rate_limited',
  /** Remote-cluster mode: the cluster of the object's spec.kubeConfig does not answer. */
  'remote_cluster_unreachable',
]);
export type SymptomType = z.infer<typeof symptomTypeSchema>;

export const symptomSchema = z.object({
  type: symptomTypeSchema,
  detail: z.string(),
  /** How long the symptom has lasted, when known. */
  seconds: z.number().optional(),
});
export type Symptom = z.infer<typeof symptomSchema>;

export const findingSchema = z.object({
  id: z.string(),
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  ready: z.enum(['True', 'False', 'Unknown', 'None']),
  reason: z.string().optional(),
  message: z.string().optional(),
  /** True when a symptom says it will not recover by itself; false for objects still settling. */
  stuck: z.boolean(),
  symptoms: z.array(symptomSchema),
  chain: z.array(chainHopSchema),
  rootCause: rootCauseSchema,
});
export type Finding = z.infer<typeof findingSchema>;

export const cycleSchema = z.object({
  /** Vertices in wait order, starting at the smallest id; the last waits on the first. */
  ids: z.array(z.string()),
  edges: z.array(
    z.object({
      from: z.string(),
      to: z.string(),
      via: z.array(edgeViaSchema),
      /** For `needs`: the ConfigMaps/Secrets `to` creates and `from` reads. */
      through: z.array(z.string()).optional(),
    }),
  ),
});
export type Cycle = z.infer<typeof cycleSchema>;

export const missingDependencySchema = z.object({
  from: z.string(),
  to: z.string(),
  via: edgeViaSchema,
});
export type MissingDependency = z.infer<typeof missingDependencySchema>;

/** Why a source's objects stay at an older revision (see stale-revisions.ts). */
export const staleCauseSchema = z.discriminatedUnion('type', [
  /** A dependsOn cycle among the source's Kustomizations: no new revision triggers any of them. */
  z.object({ type: z.literal('shared_source_cycle'), cycle: z.array(z.string()) }),
  /** Every object behind is suspended itself. */
  z.object({ type: z.literal('objects_suspended') }),
  /** Nothing in the cluster explains it: no reconcile since the artifact changed; the longest interval of the objects. */
  z.object({ type: z.literal('waiting_for_interval'), intervalSeconds: z.number() }),
  /** The artifact is older than the objects' longest interval (plus jitter): not even the timer reconciled them. */
  z.object({ type: z.literal('not_reconciling'), intervalSeconds: z.number() }),
]);
export type StaleCause = z.infer<typeof staleCauseSchema>;

/** The objects of one source that are Ready (or suspended) at an older revision than it serves. */
export const staleRevisionGroupSchema = z.object({
  source: z.string(),
  /** The artifact revision the source serves. */
  revision: z.string(),
  /** Seconds since the source got that artifact, when its status says. */
  artifactAgeSeconds: z.number().optional(),
  objects: z.array(z.object({ id: z.string(), appliedRevision: z.string(), suspended: z.boolean() })),
  cause: staleCauseSchema,
  /** The cause and the fix in one sentence. */
  explanation: z.string(),
});
export type StaleRevisionGroup = z.infer<typeof staleRevisionGroupSchema>;

/** Reconciles holding one controller's workers right now (see workers-held.ts). */
export const workersHeldSchema = z.object({
  controller: z.string(),
  /** The kind reconciled: each kind's reconciler has workers of its own. */
  kind: z.string(),
  /** Longest first: the object, seconds in its current reconcile, its Ready message. */
  objects: z.array(z.object({ id: z.string(), seconds: z.number(), message: z.string().optional() })),
  /** The controller's --concurrent as Flux installs it, which diagnose compares with (it cannot read the flag). */
  defaultConcurrent: z.number(),
  explanation: z.string(),
});
export type WorkersHeld = z.infer<typeof workersHeldSchema>;

export const diagnosisSchema = z.object({
  schemaVersion: z.literal(1),
  generatedAt: z.string(),
  context: z.string().optional(),
  namespaces: z.array(z.string()).optional(),
  counts: z.object({
    objects: z.number(),
    notReady: z.number(),
    stuck: z.number(),
    cycles: z.number(),
    missing: z.number(),
    /** Objects Ready or suspended at an older revision than their source serves (in staleRevisions). */
    staleRevision: z.number(),
  }),
  /** Non-ready or stuck objects, stuck first. */
  findings: z.array(findingSchema),
  cycles: z.array(cycleSchema),
  /** True when the cycle search hit its bound: there may be more cycles than listed. */
  cyclesTruncated: z.boolean(),
  selfDependencies: z.array(z.string()),
  missing: z.array(missingDependencySchema),
  /** "Healthy but frozen": per source, the objects behind its artifact and why. */
  staleRevisions: z.array(staleRevisionGroupSchema),
  /** Long reconciles (Ready=Unknown for over 30 s) per controller: what holds its workers. */
  workersHeld: z.array(workersHeldSchema),
  /** What could not be read (CRDs not installed, forbidden lists). */
  notes: z.array(z.string()),
});
export type Diagnosis = z.infer<typeof diagnosisSchema>;

/** True when the diagnosis should fail the command: something is stuck or can deadlock. */
export function diagnosisFound(diagnosis: Diagnosis): boolean {
  return diagnosis.counts.stuck > 0 || diagnosis.counts.cycles > 0 || diagnosis.counts.missing > 0;
}
