/**
 * registry.fault and registry.ratelimit: their schemas, validation against the scenario's source
 * kind, and what they do over a real timeline run to the real registry gateway (the Distribution
 * registry from the toolchain behind src/registry's gateway), checked with plain HTTP requests.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  planTimeline,
  runTimeline,
  timelineActionSchema,
  timelineProblems,
  toRegistryFault,
  type ChaosContext,
  type ChaosTargets,
  type RegistryFaultAction,
  type SourceContext,
  type TimelineAction,
} from '../../../src/chaos/index.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { registryFaultSpecSchema, startRegistry, type StartedRegistry } from '../../../src/registry/index.ts';
import { timelineContext } from '../../../src/scenario/index.ts';
import { basic, getManifest, pushArtifact, type OciClient } from '../../support/oci-http.ts';
import { MemorySink, registryBinary, removeDir, tempDir, toolchainTimeoutMs } from '../registry/helpers.ts';

const context: ChaosContext = { durationMs: 60_000, controllers: ['source-controller', 'kustomize-controller'], shards: {} };

const sourceOf = (kind: string, servers: SourceContext['servers']): SourceContext => ({ kind, servers, kindsWith: (server) => (server === 'registry' ? ['oci'] : ['git']) });

const parse = (...inputs: Record<string, unknown>[]): TimelineAction[] => inputs.map((input) => timelineActionSchema.parse(input));

/** What the timeline reaches of a run: the registry (when there is one) and the sample sink. */
function targetsWith(registry: StartedRegistry | undefined, samples: Sample[]): ChaosTargets {
  return { ...(registry ? { registry } : {}), sink: { write: (sample: Sample) => samples.push(sample) } } as unknown as ChaosTargets;
}

async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

const faultSamples = (samples: Sample[]) => samples.filter((s) => s.kind === 'fault').map((s) => [s.name, s.labels?.fault, s.labels?.target]);

let work: string;
let registry: StartedRegistry;
let pusher: OciClient;
const registrySamples = new MemorySink();

beforeAll(async () => {
  work = await tempDir('fb-registry-chaos-');
  registry = await startRegistry({}, { binary: await registryBinary(), storageDir: join(work, 'storage'), sink: registrySamples });
  pusher = { url: registry.url, authorization: basic(registry.username, registry.password) };
  expect((await pushArtifact(pusher, 'team-1/app-1', 'v1', Buffer.from('layer'))).status).toBe(201);
}, toolchainTimeoutMs);

afterAll(async () => {
  await registry?.stop();
  await removeDir(work);
});

const manifestStatus = async (client: OciClient = pusher) => (await getManifest(client, 'team-1/app-1', 'v1')).status;

describe('registry.fault', () => {
  it('takes github.fault’s fault set, matched by registry route and repository globs', () => {
    expect(timelineActionSchema.parse({ at: '10s', action: 'registry.fault', fault: 'outage', route: 'manifest', repository: 'team-1/app-*', duration: '30s' })).toEqual({
      at: '10s',
      action: 'registry.fault',
      fault: 'outage',
      route: 'manifest',
      repository: 'team-1/app-*',
      duration: '30s',
      status: 503,
    });
    const issues = (input: Record<string, unknown>) => timelineActionSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ at: 0, action: 'registry.fault', fault: 'outage', route: 'git.*' })).toEqual([
      'route: matches no registry route (routes: base, token, manifest, blob, upload, tags, catalog, referrers, other)',
    ]);
    expect(issues({ at: 0, action: 'registry.fault', fault: 'outage', repository: 'Team/App' })?.[0]).toMatch(/^repository: expected an OCI repository name or glob/);
    expect(issues({ at: 0, action: 'registry.fault', fault: 'latency' })?.[0]).toMatch(/^delay: /);
  });

  it('becomes a fault spec the registry accepts, for every fault kind', () => {
    const actions = parse(
      { at: 0, action: 'registry.fault', fault: 'latency', delay: '200ms', jitter: '50ms', route: 'blob' },
      { at: 0, action: 'registry.fault', fault: 'errors', status: 502, rate: 0.5 },
      { at: 0, action: 'registry.fault', fault: 'reset', rate: 0.25, repository: 'team-2/*' },
      { at: 0, action: 'registry.fault', fault: 'outage', duration: '1m' },
      { at: 0, action: 'registry.fault', fault: 'bandwidth', bytesPerSecond: '64Ki' },
    ) as RegistryFaultAction[];
    const specs = actions.map((action) => registryFaultSpecSchema.parse(toRegistryFault(action)));
    expect(specs.map((spec) => [spec.type, spec.match.route, spec.match.repository])).toEqual([
      ['latency', 'blob', '*'],
      ['error', '*', '*'],
      ['reset', '*', 'team-2/*'],
      ['outage', '*', '*'],
      ['bandwidth', '*', '*'],
    ]);
    expect(specs[0]).toMatchObject({ fixed: '200ms', jitter: '50ms' });
    expect(specs[1]).toMatchObject({ status: 502, rate: 0.5 });
    expect(specs[3]).toMatchObject({ for: '1m' });
    expect(specs[4]).toMatchObject({ bytesPerSecond: 65_536 });
  });

  it('is refused for a source kind whose host runs no registry, naming the kinds that do', () => {
    const timeline = parse({ at: '5s', action: 'registry.fault', fault: 'outage' }, { at: '6s', action: 'registry.ratelimit', authenticated: 10 });
    expect(timelineProblems(timeline, { ...context, source: sourceOf('git', ['github']) })).toEqual([
      { path: ['timeline', 0, 'action'], message: 'registry.fault acts on the OCI registry, which workload.source git does not run (workload.source oci does)' },
      { path: ['timeline', 1, 'action'], message: 'registry.ratelimit acts on the OCI registry, which workload.source git does not run (workload.source oci does)' },
    ]);
    expect(timelineProblems(timeline, { ...context, source: sourceOf('oci', ['registry']) })).toEqual([]);
    // Planning alone (no source known) does not check it.
    expect(timelineProblems(timeline, context)).toEqual([]);
  });

  it('is refused by scenario validation for a Git workload', () => {
    const scenario = { timeline: parse({ at: '5s', action: 'registry.fault', fault: 'outage' }), duration: '1m', controllers: { helm: { enabled: false }, notification: { enabled: false }, kustomize: { shards: 1 } }, workload: {} };
    const source = timelineContext(scenario as Parameters<typeof timelineContext>[0]).source!;
    expect(source.kind).toBe('git');
    expect(source.servers).toEqual(['github']);
    expect(timelineProblems(scenario.timeline, { ...context, source })[0]?.message).toMatch(/^registry\.fault acts on the OCI registry, which workload\.source git does not run \(/);
  });

  it('adds the fault without an end of its own, removes it at its planned end, and draws it as a band', async () => {
    const samples: Sample[] = [];
    const timeline = parse({ at: 0, action: 'registry.fault', fault: 'errors', status: 503, route: 'manifest', repository: 'team-1/app-*', duration: '500ms' });
    const run = runTimeline(planTimeline(timeline, context), targetsWith(registry, samples), Date.now());
    await until(() => registry.admin.faults().length === 1);
    // The timeline ends it, not a timer of the gateway's: no `for`, no `until`.
    const [fault] = registry.admin.faults();
    expect(fault!.spec).toMatchObject({ type: 'error', status: 503, rate: 1, match: { route: 'manifest', repository: 'team-1/app-*' } });
    expect(fault!.spec).not.toHaveProperty('for');
    expect(fault!.until).toBeUndefined();
    expect(await manifestStatus()).toBe(503);
    await until(() => registry.admin.faults().length === 0);
    expect(await manifestStatus()).toBe(200);
    await until(() => run.log.length === 2);
    expect(faultSamples(samples)).toEqual([
      ['start', 'registry.fault errors', 'team-1/app-*'],
      ['end', 'registry.fault errors', 'team-1/app-*'],
    ]);
    // The gateway's own band, labelled with its host, for the same time.
    const own = registrySamples.samples.filter((s) => s.kind === 'fault' && s.detail?.id === fault!.id);
    expect(own.map((s) => [s.name, s.labels?.fault, s.labels?.host])).toEqual([
      ['start', 'error', 'registry'],
      ['end', 'error', 'registry'],
    ]);
    await run.stop();
  });

  it('fails, recorded as a failed fault, when the run has no registry', async () => {
    const samples: Sample[] = [];
    const run = runTimeline(planTimeline(parse({ at: 0, action: 'registry.fault', fault: 'outage' }), context), targetsWith(undefined, samples), Date.now());
    await until(() => run.log.length === 1);
    await run.stop();
    expect(run.log.map((entry) => [entry.outcome, entry.error])).toEqual([['failed', 'this run has no OCI registry to inject the fault into']]);
    expect(faultSamples(samples)).toEqual([['failed', 'registry.fault outage', 'registry']]);
  });
});

describe('registry.ratelimit', () => {
  it('turns the limit on with the values given, and restores the previous limits at its end', async () => {
    const samples: Sample[] = [];
    const before = registry.admin.rateLimits();
    expect(before.enabled).toBe(false);
    const timeline = parse({ at: 0, action: 'registry.ratelimit', authenticated: 1, window: '1m', duration: '500ms' });
    const plan = planTimeline(timeline, context);
    expect(plan.map((p) => [p.label, p.atMs, p.endMs])).toEqual([['registry.ratelimit', 0, 500]]);
    const run = runTimeline(plan, targetsWith(registry, samples), Date.now());
    await until(() => registry.admin.rateLimits().enabled);
    expect(registry.admin.rateLimits()).toEqual({ ...before, enabled: true, window: '1m', authenticated: 1 });
    expect(await manifestStatus()).toBe(200);
    const refused = await getManifest(pusher, 'team-1/app-1', 'v1');
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body.toString()).errors[0].code).toBe('TOOMANYREQUESTS');
    await until(() => !registry.admin.rateLimits().enabled);
    expect(registry.admin.rateLimits()).toEqual(before);
    expect(await manifestStatus()).toBe(200);
    await until(() => run.log.length === 2);
    expect(faultSamples(samples)).toEqual([
      ['start', 'registry.ratelimit', 'registry'],
      ['end', 'registry.ratelimit', 'registry'],
    ]);
    await run.stop();
  });

  it('gives an identity its pulls back at once: an instant action, nothing to restore', async () => {
    registry.admin.setRateLimits({ enabled: true, authenticated: 1 });
    try {
      registry.admin.resetQuota();
      expect(await manifestStatus()).toBe(200);
      expect(await manifestStatus()).toBe(429);
      const samples: Sample[] = [];
      const plan = planTimeline(parse({ at: 0, action: 'registry.ratelimit', resetQuota: true, identity: registry.username }), context);
      expect(plan[0]!.endMs).toBeUndefined();
      const run = runTimeline(plan, targetsWith(registry, samples), Date.now());
      await until(() => run.log.length === 1);
      await run.stop();
      expect(await manifestStatus()).toBe(200);
      expect(registry.admin.rateLimits()).toMatchObject({ enabled: true, authenticated: 1 });
      expect(faultSamples(samples)).toEqual([
        ['start', 'registry.ratelimit', registry.username],
        ['end', 'registry.ratelimit', registry.username],
      ]);
    } finally {
      registry.admin.setRateLimits({ enabled: false, authenticated: 200 });
    }
  });

  it('refuses an action that changes nothing, an identity without resetQuota and a duration on a reset', () => {
    expect(timelineProblems(parse({ at: '10s', action: 'registry.ratelimit' }), context)).toEqual([
      { path: ['timeline', 0], message: 'registry.ratelimit at 10s changes nothing: set enabled, anonymous, authenticated, window or resetQuota' },
    ]);
    expect(timelineProblems(parse({ at: '10s', action: 'registry.ratelimit', anonymous: 5, identity: 'flux' }), context)).toEqual([
      { path: ['timeline', 0, 'identity'], message: 'identity only narrows resetQuota (the limits apply to every identity): add resetQuota: true or drop identity' },
    ]);
    expect(timelineProblems(parse({ at: '10s', action: 'registry.ratelimit', resetQuota: true, duration: '10s' }), context)).toEqual([
      { path: ['timeline', 0, 'duration'], message: 'a quota reset is instant: duration applies to a change of limits (enabled, anonymous, authenticated, window)' },
    ]);
    expect(timelineActionSchema.safeParse({ at: 0, action: 'registry.ratelimit', authenticated: 0 }).success).toBe(false);
  });
});
