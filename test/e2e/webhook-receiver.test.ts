import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sample } from '../../src/metrics/sample.ts';
import { defineScenario } from '../../src/scenario/index.ts';
import { runScenario } from '../../src/run/index.ts';
import { readNdjson } from '../../src/util/ndjson.ts';

describe('push webhooks from the fake GitHub to a real Flux Receiver, commit statuses back', () => {
  it('reconcile a GitRepository within seconds although it polls only every 10 minutes, and post a status per applied commit', async () => {
    const scenario = defineScenario({
      name: 'webhook-e2e',
      controllers: { notification: { enabled: true, receivers: true, alerts: { github: true, githubDispatch: true, generic: true } }, kustomize: { requeueDependency: '5s' } },
      workload: { layout: 'monorepo', teams: 1, apps: 2, seed: 5, flux: { auth: 'basic', sourceInterval: '10m', interval: '10m' } },
      timeline: [{ at: '2s', action: 'churn.start', rate: 0.25, maxCommits: 3 }],
      duration: '30s',
      sampling: { interval: '2s' },
      settle: { timeout: '2m' },
      // With 10-minute polling, only the webhook can make every commit reach the artifact this fast.
      thresholds: ['lag.artifact.count >= 3', 'lag.artifact.max < 20s', 'lag.applied.count > 0'],
    });
    const reports = mkdtempSync(join(tmpdir(), 'fb-e2e-webhook-'));
    const result = await runScenario(scenario, { scenarioPath: '<defineScenario>', reportsDir: reports, quiet: true, log: () => {} });
    expect(result.summary?.thresholds.map((t) => [t.expression, t.ok, t.actual])).toEqual([
      ['lag.artifact.count >= 3', true, expect.any(Number)],
      ['lag.artifact.max < 20s', true, expect.any(Number)],
      ['lag.applied.count > 0', true, expect.any(Number)],
    ]);
    const samples = readNdjson<Sample>(join(result.runDir, 'samples.ndjson'));
    const deliveries = samples.filter((s) => s.kind === 'github' && s.name === 'webhook_delivery');
    expect(deliveries.length).toBeGreaterThanOrEqual(3);
    expect(deliveries.every((d) => d.labels?.status === '200')).toBe(true);

    // notification-controller's github Provider: for each event, a list of the commit's statuses
    // (to skip duplicates) and a create, through /api/v3 as for GitHub Enterprise, as "notifications".
    const requests = samples.filter((s) => s.kind === 'github' && s.name === 'request');
    const creates = requests.filter((s) => s.labels?.route === 'rest.statuses.create');
    expect(creates.length, 'commit statuses created').toBeGreaterThanOrEqual(1);
    expect(creates.every((s) => s.labels?.status === '201' && s.labels.identity?.includes('notifications') && s.labels.repo !== '')).toBe(true);
    const lists = requests.filter((s) => s.labels?.route === 'rest.statuses.list' && s.labels.identity?.includes('notifications'));
    expect(lists.length).toBeGreaterThanOrEqual(creates.length);
    // githubdispatch: a repository_dispatch per event, as teams start GitHub Actions from Flux.
    const dispatches = requests.filter((s) => s.labels?.route === 'rest.dispatches' && s.labels.identity?.includes('notifications'));
    expect(dispatches.length).toBeGreaterThanOrEqual(1);
    expect(dispatches.every((s) => s.labels?.status === '204')).toBe(true);
    // generic: each event posted to the repository's webhook, carrying the Kustomization and the
    // revision it applied; attributed to "notifications" by the bearer header from the Secret.
    const hooks = requests.filter((s) => s.labels?.route === 'hooks.generic');
    expect(hooks.length).toBeGreaterThanOrEqual(1);
    expect(hooks.every((s) => s.labels?.status === '200' && s.labels.identity?.includes('notifications'))).toBe(true);
    const events = hooks.map((s) => s.detail?.event as { kind: string; name: string; reason: string; revision?: string });
    expect(events.every((e) => e.kind === 'Kustomization' && e.name !== '' && e.reason !== '')).toBe(true);
    expect(events.some((e) => e.reason === 'ReconciliationSucceeded' && /^main@sha1:[0-9a-f]{40}$/.test(e.revision ?? ''))).toBe(true);
    expect(result.summary?.github.requestsByRepo?.[hooks[0]!.labels!.repo!]?.hooks).toBe(hooks.filter((s) => s.labels?.repo === hooks[0]!.labels!.repo).length);
  });
});
