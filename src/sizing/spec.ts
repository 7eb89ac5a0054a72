/**
 * The sizing spec: a base scenario plus the dimensions a sweep varies. The scenario schema is
 * strict and knows nothing of sweeps, so the sweep lives in this schema; the base is either
 * inline scenario fields or the path of a scenario file, and is validated by the scenario
 * schema itself once the sweep's values are applied (see plan.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatZodIssues, kubeApiBurstSchema, kubeApiQpsSchema, parseScenario, type ScenarioInput } from '../scenario/index.ts';
import { UsageError } from '../util/exit-codes.ts';
import { parseDuration, parseQuantity } from '../util/units.ts';

export const sizingApiVersion = 'fluxbench.io/v1alpha1';

const durationText = (hint: string) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    try {
      if (parseDuration(value) <= 0) throw new Error('must be longer than 0s');
      return typeof value === 'number' ? `${value}s` : value.trim();
    } catch (err) {
      ctx.issues.push({ code: 'custom', message: `${(err as Error).message} (${hint})`, input: value });
      return z.NEVER;
    }
  });

const quantityText = z.union([z.string(), z.number()]).transform((value, ctx) => {
  try {
    const bytes = parseQuantity(value);
    if (bytes <= 0) throw new Error('must be more than 0');
    return bytes;
  } catch (err) {
    ctx.issues.push({ code: 'custom', message: (err as Error).message, input: value });
    return z.NEVER;
  }
});

const positiveInt = z.number().int({ error: 'expected a whole number' }).min(1, { error: 'must be at least 1' });

/** A non-empty list without repeats: a repeated value would only run the same size twice. */
function distinctList<T extends z.ZodType>(item: T, example: string) {
  return z
    .array(item, { error: `expected a list such as ${example}` })
    .min(1, { error: `must list at least one value, e.g. ${example}` })
    .refine((values) => new Set(values.map((v) => JSON.stringify(v))).size === values.length, { error: 'values must not repeat' });
}

export const sweepSchema = z.strictObject({
  apps: distinctList(positiveInt, '[50, 200, 500, 1000]').meta({ description: 'Number of apps (one Kustomization each).' }),
  interval: distinctList(durationText('e.g. "1m"'), '["1m", "5m"]')
    .default(['5m'])
    .meta({ description: 'Flux interval: spec.interval of GitRepositories and Kustomizations.' }),
  concurrency: distinctList(positiveInt, '[4, 10]').default([4]).meta({ description: 'kustomize-controller --concurrent.' }),
  shards: distinctList(positiveInt, '[1, 2]').default([1]).meta({ description: 'kustomize-controller shards (1 = no sharding).' }),
  kubeApiQps: distinctList(kubeApiQpsSchema, '[50, 500]')
    .optional()
    .meta({
      description:
        "Every controller's --kube-api-qps; unset: not varied (the base's setting, else Flux's default 50). Flux ignores it while the API server has Priority and Fairness on.",
    }),
  kubeApiBurst: distinctList(kubeApiBurstSchema, '[300, 1000]')
    .optional()
    .meta({ description: "Every controller's --kube-api-burst; unset: not varied (the base's setting, else Flux's default 300). Ignored like kubeApiQps with Priority and Fairness on." }),
});

/**
 * Which lag `targets.lagP95` bounds. `controllers` (default): lag.controllers.p95, the artifact →
 * applied part that controller size and concurrency decide, plus lag.artifact.p95 under the
 * interval + lagP95 (one poll, then the same budget for source-controller's fetch). `total`:
 * lag.applied.p95, push → applied, which a poll interval longer than the budget can never meet.
 */
export const LAG_JUDGED = ['controllers', 'total'] as const;
export type LagJudged = (typeof LAG_JUDGED)[number];

export const targetsSchema = z
  .strictObject({
    /** The lag budget a configuration must stay under to be recommended (and a target check to answer YES). */
    lagP95: durationText('e.g. "60s"').default('60s'),
    /** What lagP95 bounds: the controllers' part (default) or the total from the push. */
    lag: z.enum(LAG_JUDGED, { error: 'expected which lag lagP95 bounds' }).default('controllers'),
    /** Git host requests per minute acceptable for one organisation's token budget (5,000/h ≈ 83/min). */
    githubRequestsPerMinute: z.number().positive({ error: 'must be greater than 0' }).default(83),
    /** p95 latency of listing every Kustomization. */
    listP95: durationText('e.g. "1s"').default('1s'),
  })
  .prefault({});

export const churnSchema = z
  .strictObject({
    rate: z.number().gt(0, { error: 'must be greater than 0 (commits per second)' }).default(0.2),
    /** Bounds the commits of one run whatever its duration. */
    maxCommits: positiveInt.default(60),
  })
  .prefault({});

export const sizingSpecSchema = z.strictObject({
  apiVersion: z.literal(sizingApiVersion).default(sizingApiVersion),
  kind: z.literal('SizingSpec', { error: 'expected "SizingSpec"' }).default('SizingSpec'),
  name: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, { error: 'expected lowercase letters, digits and "-", e.g. "sizing"' })
    .max(20, { error: 'must be at most 20 characters (run names add the size to it)' })
    .default('sizing'),
  base: z
    .union([z.string().min(1), z.record(z.string(), z.unknown())], {
      error: 'expected the path of a scenario file or inline scenario fields (workload, controllers, ...)',
    })
    .meta({ description: 'The scenario every run starts from.' }),
  sweep: sweepSchema,
  headroom: z.number().min(1, { error: 'must be at least 1 (recommended limit = measured max × headroom)' }).default(1.3),
  duration: durationText('e.g. "3m"').default('3m'),
  churn: churnSchema,
  targets: targetsSchema,
  stopOnFailure: z.boolean().default(false),
});

export type SizingSpecInput = z.input<typeof sizingSpecSchema>;
/** A validated spec whose base is resolved to scenario input fields. */
export type SizingSpec = Omit<z.output<typeof sizingSpecSchema>, 'base'> & { base: ScenarioInput; baseSource: string };
export type SizingTargets = z.output<typeof targetsSchema>;

/** The memory-limit option of `fluxbench sizing`: a Kubernetes quantity in bytes. */
export function parseMemoryLimit(text: string, field = '--memory-limit'): number {
  const bytes = (() => {
    try {
      return parseQuantity(text);
    } catch {
      return Number.NaN;
    }
  })();
  if (!Number.isFinite(bytes) || bytes <= 0) throw new UsageError(`${field}: "${text}" is not a memory quantity; expected e.g. "512Mi", "1Gi"`);
  return bytes;
}

function describe(error: z.ZodError, file: string): string {
  return formatZodIssues(error.issues, { prefix: `${file}: ` }).join('\n');
}

/**
 * Validates a sizing spec (already parsed from YAML). A `base` path is read relative to
 * `baseDir` and checked as a scenario file, so its errors carry its own line numbers.
 */
export function parseSizingSpec(data: unknown, file = '<sizing spec>', baseDir = '.'): SizingSpec {
  const result = sizingSpecSchema.safeParse(data);
  if (!result.success) throw new UsageError(describe(result.error, file));
  const { base, ...rest } = result.data;
  if (typeof base === 'string') {
    const path = resolve(baseDir, base);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new UsageError(`${file}: base: cannot read scenario file ${path}`);
    }
    parseScenario(text, path);
    return { ...rest, base: parseYaml(text) as ScenarioInput, baseSource: path };
  }
  return { ...rest, base: { name: rest.name, ...base } as ScenarioInput, baseSource: `${file} (inline base)` };
}

/** Reads and validates a sizing spec file. */
export function loadSizingSpec(path: string): SizingSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`${path}: cannot read the sizing spec (file not found?)`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new UsageError(`${path}: YAML syntax error: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseSizingSpec(data, path, dirname(path));
}
