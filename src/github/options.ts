import { z } from 'zod';
import { UsageError } from '../util/exit-codes.ts';
import { formatZodIssues } from '../util/zod-issues.ts';
import { faultSpecSchemaFor } from '../serving/fault-spec.ts';
import { durationField as duration, quantityField as quantity } from '../serving/fields.ts';

export { durationMs } from '../serving/fields.ts';
export { faultTypes, type FaultType } from '../serving/fault-spec.ts';

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Which traffic a primary/secondary limit counts: REST API calls, git smart-HTTP, pages (Helm
 * repos), hooks (generic webhook Providers' posts; not a GitHub API, so not counted by default).
 */
export const trafficCategorySchema = z.enum(['rest', 'git', 'pages', 'hooks']);
export type TrafficCategory = z.infer<typeof trafficCategorySchema>;

export const faultMatchSchema = z
  .object({
    /** Glob over route names (`git.*`, `rest.commit`, `pages`, `*`). */
    route: z.string().min(1).default('*'),
    /** Glob over `owner/repo` (`team-*\/app`, `*`). */
    repo: z.string().min(1).default('*'),
  })
  .strict();

export const faultSpecSchema = faultSpecSchemaFor(faultMatchSchema);
export type FaultSpecInput = z.input<typeof faultSpecSchema>;
export type FaultSpec = z.output<typeof faultSpecSchema>;

export const tokenSpecSchema = z
  .object({
    /** What the token is called in samples and reports (the `identity` label); never the secret. */
    name: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'token names are 1-64 letters, digits, ".", "_", ":" or "-"'),
    /** The secret; generated (`ghp_...`) when omitted. */
    token: z.string().regex(/^[A-Za-z0-9_.-]{8,255}$/, 'tokens are 8-255 letters, digits, "_", "." or "-"').optional(),
    /** Primary limit per window for this token; defaults to rateLimits.token. */
    limit: z.number().int().positive().optional(),
    permission: z.enum(['read', 'write']).default('write'),
    /** Globs over `owner/repo` this token can see; omitted = every repository. */
    repos: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type TokenSpecInput = z.input<typeof tokenSpecSchema>;
export type TokenSpec = z.output<typeof tokenSpecSchema>;

export const webhookTargetSchema = z
  .object({
    url: z
      .url()
      // The refinements run on strings z.url() refused too: they must not throw on them.
      .refine((u) => URL.canParse(u) && loopbackHosts.has(new URL(u).hostname) && /^https?:$/.test(new URL(u).protocol), {
        message: 'webhook URLs must be http(s) on 127.0.0.1 or localhost',
      })
      // Deliveries are recorded with their URL (samples, reports): credentials belong in `secret`.
      .refine((u) => !URL.canParse(u) || (new URL(u).username === '' && new URL(u).password === ''), {
        message: 'webhook URLs carry no credentials (user:password@); deliveries are signed with `secret` instead',
      }),
    secret: z.string().optional(),
    events: z.array(z.literal('push')).default(['push']),
    /**
     * Globs over `owner/repo`: a repository webhook, fired only by pushes to these; omitted =
     * an organisation webhook, fired by every push.
     */
    repos: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type WebhookTarget = z.output<typeof webhookTargetSchema>;

export const rateLimitSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** The primary window (GitHub: one hour); divided by timeScale. */
    window: duration().default('1h'),
    counts: z.array(trafficCategorySchema).default(['rest', 'git', 'pages']),
    token: z.number().int().positive().default(5_000),
    anonymous: z.number().int().positive().default(60),
    installation: z.number().int().positive().default(5_000),
    /** Installation limits grow 50/h per repo and per user over 20, up to this. */
    installationMax: z.number().int().positive().default(12_500),
    /** GitHub Enterprise Cloud: installations get a flat 15,000/h. */
    enterpriseCloud: z.boolean().default(false),
    enterpriseCloudInstallation: z.number().int().positive().default(15_000),
    secondary: z
      .object({
        enabled: z.boolean().default(true),
        maxConcurrent: z.number().int().positive().default(100),
        /** GitHub: 900 points per minute for REST; GET/HEAD cost 1, writes 5. */
        pointsPerMinute: z.number().int().positive().default(900),
        status: z.union([z.literal(403), z.literal(429)]).default(429),
        /** Retry-After for a concurrency refusal, divided by timeScale (points refusals say when the minute ends). */
        retryAfter: duration().default('60s'),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type RateLimitOptions = z.output<typeof rateLimitSchema>;
export type RateLimitOptionsInput = z.input<typeof rateLimitSchema>;

export const fakeGitHubOptionsSchema = z
  .object({
    /** Listen port on 127.0.0.1; 0 = a random free port. */
    port: z.number().int().min(0).max(65_535).default(0),
    /** Where bare repos (<owner>/<repo>.git) and pages live; a fresh temp dir when omitted. */
    storageRoot: z.string().min(1).optional(),
    /** 60 = an hour-long window passes in a minute. Scales rate-limit windows, not latency. */
    timeScale: z.number().positive().max(1_000_000).default(1),
    /** Public repositories readable without credentials (GitHub: yes). */
    anonymousRead: z.boolean().default(true),
    /** Request body cap for git pushes and fetch negotiations. */
    maxBodyBytes: quantity().default(512 * 1024 * 1024),
    /** Request body cap for REST and admin JSON. */
    maxJsonBodyBytes: quantity().default(1024 * 1024),
    rateLimits: rateLimitSchema.prefault({}),
    // Bounds on lists: each entry is kept in memory and checked per request (see docs/scenarios.md#bounds).
    tokens: z.array(tokenSpecSchema).max(10_000, { error: 'at most 10,000 tokens' }).default([]),
    app: z
      .object({
        id: z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).transform(String),
        /** PEM public key; when set, App JWT signatures are verified against it. */
        publicKey: z.string().optional(),
        installations: z
          .array(
            z
              .object({
                id: z.number().int().positive(),
                // Only feed the installation limit formula (50/h per repo and user past 20, capped).
                repos: z.number().int().min(0).max(1_000_000).default(0),
                users: z.number().int().min(0).max(1_000_000).default(0),
              })
              .strict(),
          )
          .max(1_000, { error: 'at most 1,000 installations' })
          .default([{ id: 1, repos: 0, users: 0 }]),
        /** Lifetime of issued installation tokens (GitHub: 1h); real time. */
        tokenTtl: duration().default('1h'),
      })
      .strict()
      .optional(),
    webhooks: z
      .object({
        targets: z.array(webhookTargetSchema).max(10_000, { error: 'at most 10,000 webhook targets (one per repository is at most 1,001)' }).default([]),
        attempts: z.number().int().min(1).max(10).default(3),
        backoff: duration().default('500ms'),
        timeout: duration().default('5s'),
      })
      .strict()
      .prefault({}),
    faults: z.array(faultSpecSchema).max(1_000, { error: 'at most 1,000 faults (each is matched against every request)' }).default([]),
    /** How often quota_remaining/quota_limit samples are written per active identity. */
    quotaSampleInterval: duration().default('5s'),
    /** Request records kept in memory for requests(); samples are streamed regardless. */
    // ~200 bytes a record: 1,000,000 are ~200 MB of the runner's memory.
    recordLimit: z.number().int().positive().max(1_000_000, { error: 'at most 1,000,000 records (~200 MB of memory); samples keep every request regardless' }).default(100_000),
  })
  .strict();

export type FakeGitHubOptionsInput = z.input<typeof fakeGitHubOptionsSchema>;
export type FakeGitHubOptions = z.output<typeof fakeGitHubOptionsSchema>;

/**
 * Parses fake GitHub options (also ones parsed before: parsing is idempotent).
 * @throws UsageError naming each offending field under `where` and what is allowed.
 */
export function parseFakeGitHubOptions(input: unknown, where = 'github'): FakeGitHubOptions {
  const parsed = fakeGitHubOptionsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issues = formatZodIssues(parsed.error.issues, { root: where });
    throw new UsageError(`invalid fake GitHub options: ${issues.join('; ')}`);
  }
  return parsed.data;
}
