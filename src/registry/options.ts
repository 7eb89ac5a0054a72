/**
 * The registry's options: what a scenario's `registry:` block and `fluxbench registry serve
 * --config` hold. Parsing is idempotent (durations stay validated strings), so parsed options
 * can be handed to startRegistry again.
 */
import { z } from 'zod';
import { UsageError } from '../util/exit-codes.ts';
import { globToRegExp } from '../util/glob.ts';
import { formatZodIssues } from '../util/zod-issues.ts';
import { faultSpecSchemaFor } from '../serving/fault-spec.ts';
import { durationField, durationMs } from '../serving/fields.ts';
import { registryRoutes } from './routes.ts';

const routeGlob = z
  .string()
  .min(1)
  .refine((glob) => registryRoutes.some((route) => globToRegExp(glob).test(route)), {
    error: `matches no registry route (routes: ${registryRoutes.join(', ')}; globs such as "*" or "manifest" work)`,
  });

export const registryFaultMatchSchema = z
  .object({
    /** Glob over the registry's route names (`manifest`, `blob`, `*`; see routes.ts). */
    route: routeGlob.default('*'),
    /** Glob over repository names (`team-*\/app-*`, `*`). */
    repository: z.string().min(1).default('*'),
  })
  .strict();

/** A fault on the registry gateway: the fake GitHub's fault set, matched by route and repository. */
export const registryFaultSpecSchema = faultSpecSchemaFor(registryFaultMatchSchema);
export type RegistryFaultSpecInput = z.input<typeof registryFaultSpecSchema>;
export type RegistryFaultSpec = z.output<typeof registryFaultSpecSchema>;

/**
 * Pull limits per identity, named and sized as Docker Hub documents them
 * (https://docs.docker.com/docker-hub/usage/pulls/): unauthenticated users get 100 pulls per
 * 6 hours per IPv4 address (or IPv6 /64), authenticated personal accounts 200 per 6 hours; a
 * pull is a manifest GET. Off by default, as a private registry has none.
 */
export const registryRateLimitsSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** The window the limits count over (Docker Hub: 6 hours); divided by timeScale. */
    window: durationField()
      .refine((value) => durationMs(value) > 0, { error: 'must be longer than 0s' })
      .default('6h'),
    /** Pulls per window for each anonymous client address. */
    anonymous: z.number().int().positive().max(1_000_000_000).default(100),
    /** Pulls per window for each authenticated user. */
    authenticated: z.number().int().positive().max(1_000_000_000).default(200),
  })
  .strict();
export type RegistryRateLimitsInput = z.input<typeof registryRateLimitsSchema>;
export type RegistryRateLimits = z.output<typeof registryRateLimitsSchema>;

export const registryOptionsSchema = z
  .object({
    /** 60 = a 6-hour window passes in 6 minutes. Scales limit windows, not latency. */
    timeScale: z.number().positive().max(1_000_000).default(1),
    /**
     * The gateway speaks HTTPS with a certificate from a per-start CA, which Flux trusts through
     * `certSecretRef` (production registries are HTTPS); false = plain HTTP and `insecure: true`.
     */
    tls: z.boolean().default(false),
    /** Pulls (GET/HEAD of manifests, blobs, tags, referrers) without credentials; pushes always need them. */
    anonymousPull: z.boolean().default(true),
    rateLimits: registryRateLimitsSchema.prefault({}),
    // Each fault is matched against every request: bounded like the fake GitHub's.
    faults: z.array(registryFaultSpecSchema).max(1_000, { error: 'at most 1,000 faults (each is matched against every request)' }).default([]),
  })
  .strict();
export type RegistryOptionsInput = z.input<typeof registryOptionsSchema>;
export type RegistryOptions = z.output<typeof registryOptionsSchema>;

/**
 * Parses registry options (also ones parsed before: parsing is idempotent).
 * @throws UsageError naming each offending field under `where` (`registry.rateLimits.window`)
 * and what is allowed.
 */
export function parseRegistryOptions(input: unknown, where = 'registry'): RegistryOptions {
  const parsed = registryOptionsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issues = formatZodIssues(parsed.error.issues, { root: where });
    throw new UsageError(`invalid registry options: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/**
 * Merges a partial pull-limit config into `current` and validates the result.
 * @throws UsageError naming the field under `where`.
 */
export function mergeRegistryRateLimits(current: RegistryRateLimits, patch: RegistryRateLimitsInput, where = 'rateLimits'): RegistryRateLimits {
  const parsed = registryRateLimitsSchema.safeParse({ ...current, ...(patch ?? {}) });
  if (!parsed.success) throw new UsageError(`invalid rate limits: ${formatZodIssues(parsed.error.issues, { root: where }).join('; ')}`);
  return parsed.data;
}
