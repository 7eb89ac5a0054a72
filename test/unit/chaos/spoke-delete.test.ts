/**
 * spoke.delete: validation (the spoke must be the fleet's), and over a real timeline run with a
 * stand-in fleet: the spoke is deleted at its offset, re-added at the end of its duration, and the
 * hub's kubeconfig Secret is applied server-side from memory with the new cluster's kubeconfig.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTimeline, runTimeline, timelineActionSchema, timelineProblems, type ChaosContext, type ChaosTargets } from '../../../src/chaos/index.ts';
import type { StartedFleet, StartedSpoke } from '../../../src/fleet/index.ts';
import type { Sample } from '../../../src/metrics/sample.ts';

const context: ChaosContext = { durationMs: 60_000, controllers: ['source-controller', 'kustomize-controller'], shards: {}, spokes: ['spoke-01', 'spoke-02'] };

/** A spoke that records what is done to it; each creation has a new address and kubeconfig. */
function fakeSpoke(name: string, events: string[]): StartedSpoke {
  let generation = 1;
  let present = true;
  const kubeconfig = () => `apiVersion: v1\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:${40000 + generation}'}}]\n`;
  return {
    name,
    origin: 'local',
    get apiServerUrl() {
      return `https://127.0.0.1:${40000 + generation}`;
    },
    get kubeconfig() {
      return kubeconfig();
    },
    get present() {
      return present;
    },
    componentPids: async () => ({}),
    stopApiServer: async () => undefined,
    startApiServer: async () => undefined,
    pause: async () => undefined,
    resume: async () => undefined,
    delete: async () => {
      events.push(`delete ${name}`);
      present = false;
    },
    recreate: async () => {
      generation += 1;
      present = true;
      events.push(`recreate ${name}`);
    },
    stop: async () => undefined,
  };
}

describe('spoke.delete', () => {
  it('takes a spoke of the fleet, an optional duration and reconcile (default true)', () => {
    expect(timelineActionSchema.parse({ at: '5s', action: 'spoke.delete', spoke: 'spoke-01', duration: '20s' })).toEqual({ at: '5s', action: 'spoke.delete', spoke: 'spoke-01', duration: '20s', reconcile: true });
    const plan = planTimeline([timelineActionSchema.parse({ at: '5s', action: 'spoke.delete', spoke: 'spoke-02' })], context);
    expect(plan.map((p) => [p.label, p.atMs, p.endMs])).toEqual([['spoke.delete spoke-02', 5_000, undefined]]);
    expect(timelineProblems([timelineActionSchema.parse({ at: '5s', action: 'spoke.delete', spoke: 'spoke-07' })], context)).toEqual([
      { path: ['timeline', 0, 'spoke'], message: 'the scenario has no spoke spoke-07', allowed: ['spoke-01', 'spoke-02'] },
    ]);
  });

  it('deletes the spoke, then re-adds it and applies its new kubeconfig to the hub server-side, from memory', async () => {
    const events: string[] = [];
    const spoke = fakeSpoke('spoke-02', events);
    const fleet = { spokes: [spoke], spoke: () => spoke, stop: async () => undefined } as unknown as StartedFleet;
    const applied: Array<{ args: string[]; input: string | undefined }> = [];
    const samples: Sample[] = [];
    const targets = {
      fleet,
      sink: { write: (s: Sample) => samples.push(s) },
      kubectl: async (args: string[], input?: string) => (applied.push({ args, input }), ''),
    } as unknown as ChaosTargets;
    const action = timelineActionSchema.parse({ at: 0, action: 'spoke.delete', spoke: 'spoke-02', duration: '200ms', reconcile: false });
    const run = runTimeline(planTimeline([action], context), targets, Date.now());
    await sleep(100);
    expect(events).toEqual(['delete spoke-02']);
    expect(applied).toEqual([]);
    const deadline = Date.now() + 5_000;
    while (run.log.length < 2 && Date.now() < deadline) await sleep(10);
    await run.stop();
    expect(events).toEqual(['delete spoke-02', 'recreate spoke-02']);
    expect(run.log.map((l) => [l.label, l.outcome])).toEqual([
      ['spoke.delete spoke-02', 'started'],
      ['spoke.delete spoke-02', 'ended'],
    ]);
    expect(applied).toHaveLength(1);
    expect(applied[0]!.args).toEqual(['apply', '--server-side', '-f', '-']);
    const list = JSON.parse(applied[0]!.input!) as { items: Array<{ kind: string; metadata: { name: string; namespace?: string }; stringData?: { value: string } }> };
    const secret = list.items.find((o) => o.kind === 'Secret')!;
    expect(secret.metadata).toMatchObject({ name: 'kubeconfig', namespace: 'spoke-02' });
    // The new cluster's kubeconfig, not the deleted one's.
    expect(secret.stringData!.value).toContain('https://127.0.0.1:40002');
    expect(samples.filter((s) => s.kind === 'fault').map((s) => s.name)).toEqual(['start', 'end']);
  });
});

/** An HTTP server answering lists and merge patches of Flux objects in namespace spoke-02 as the API server does, recording each request as `METHOD plural[/name]`. */
async function startApiServer(objects: Record<string, string[]>): Promise<{ url: string; requests: string[]; stop(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const match = /^\/apis\/[^/]+\/[^/]+\/namespaces\/spoke-02\/([a-z]+)(?:\/([a-z0-9-]+))?$/.exec(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
      res.setHeader('content-type', 'application/json');
      if (!match) {
        res.statusCode = 404;
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404 }));
        return;
      }
      const [, plural, name] = match;
      requests.push(`${req.method} ${plural}${name ? `/${name}` : ''}`);
      const items = (objects[plural!] ?? []).map((n) => ({ metadata: { namespace: 'spoke-02', name: n } }));
      res.end(JSON.stringify(name ? items.find((i) => i.metadata.name === name) : { metadata: {}, items }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('spoke.delete re-add, against an HTTP server answering as the hub API server', () => {
  let dir: string;
  let api: Awaited<ReturnType<typeof startApiServer>>;
  let kubeconfigPath: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fb-spoke-delete-'));
    api = await startApiServer({ kustomizations: ['infrastructure', 'app-001'], helmreleases: ['release-001'] });
    kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfigPath,
      `apiVersion: v1\nkind: Config\nclusters: [{ name: api, cluster: { server: "${api.url}", insecure-skip-tls-verify: true } }]\nusers: [{ name: api, user: { token: test } }]\ncontexts: [{ name: api, context: { cluster: api, user: api } }]\ncurrent-context: api\n`,
    );
  });
  afterAll(async () => {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function readd(fluxObjects: Array<{ kind: string; spoke?: string }>): Promise<Sample[]> {
    const spoke = fakeSpoke('spoke-02', []);
    const samples: Sample[] = [];
    const targets = {
      fleet: { spokes: [spoke], spoke: () => spoke, stop: async () => undefined } as unknown as StartedFleet,
      cluster: { kubeconfigPath },
      workload: { fluxObjects },
      sink: { write: (s: Sample) => samples.push(s) },
      kubectl: async () => '',
    } as unknown as ChaosTargets;
    const run = runTimeline(planTimeline([timelineActionSchema.parse({ at: 0, action: 'spoke.delete', spoke: 'spoke-02', duration: '50ms' })], context), targets, Date.now());
    const deadline = Date.now() + 5_000;
    while (run.log.length < 2 && Date.now() < deadline) await sleep(10);
    await run.stop();
    expect(run.log.map((l) => l.outcome)).toEqual(['started', 'ended']);
    return samples.filter((s) => s.kind === 'reconcile');
  }

  it("asks the spoke's Kustomizations, then its HelmReleases, to reconcile: a release would otherwise wait out its backoff", async () => {
    api.requests.length = 0;
    const requested = await readd([
      { kind: 'Kustomization', spoke: 'spoke-02' },
      { kind: 'HelmRelease', spoke: 'spoke-02' },
    ]);
    // The Kustomizations' patches go out together (in any order), the HelmReleases' after them.
    expect([api.requests[0], [...api.requests.slice(1, 3)].sort(), ...api.requests.slice(3)]).toEqual([
      'GET kustomizations',
      ['PATCH kustomizations/app-001', 'PATCH kustomizations/infrastructure'],
      'GET helmreleases',
      'PATCH helmreleases/release-001',
    ]);
    expect(requested.map((s) => s.detail?.objects)).toEqual([['Kustomization/spoke-02/app-001', 'Kustomization/spoke-02/infrastructure'], ['HelmRelease/spoke-02/release-001']]);
  });

  it('asks no HelmRelease when the spoke has none (the kind may not even be installed)', async () => {
    api.requests.length = 0;
    await readd([{ kind: 'Kustomization', spoke: 'spoke-02' }, { kind: 'HelmRelease', spoke: 'spoke-01' }]);
    expect(api.requests.filter((r) => r.includes('helmreleases'))).toEqual([]);
  });
});
