import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHubOptionsInput, type StartedFakeGitHub } from '../../../src/github/index.ts';
import { removeDir, tempDir } from './helpers.ts';

const token = 'ghp_hooks0000000000000000000000000000000';

/** A Flux event as notification-controller's generic Provider posts it (fluxcd/pkg/apis/event). */
const fluxEvent = {
  involvedObject: { kind: 'Kustomization', namespace: 'team-00', name: 'app-001', apiVersion: 'kustomize.toolkit.fluxcd.io/v1' },
  severity: 'info',
  timestamp: '2026-12-01T10:00:00Z',
  message: 'Deployment/team-00/app-001 configured',
  reason: 'ReconciliationSucceeded',
  metadata: { revision: 'main@sha1:0123456789abcdef0123456789abcdef01234567' },
  reportingController: 'kustomize-controller',
};

describe('generic webhook endpoint (/hooks/{owner}/{repo})', () => {
  let gh: StartedFakeGitHub;
  let work: string;
  const start = async (options: FakeGitHubOptionsInput = {}) => {
    gh = await startFakeGitHub({ storageRoot: join(work, 'storage'), tokens: [{ name: 'notifications', token }], ...options });
    await gh.createRepo('fleet', 'apps');
  };
  const post = (path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${token}` }) =>
    fetch(`${gh.url}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'gotk-component': 'kustomize-controller' }, body: JSON.stringify(body) });

  beforeEach(async () => {
    work = await tempDir();
  });
  afterEach(async () => {
    await gh?.stop();
    await removeDir(work);
  });

  it('takes a Flux event, attributes it to the token that sent it and records its object, reason and revision', async () => {
    await start();
    expect((await post('/hooks/fleet/apps', fluxEvent)).status).toBe(200);
    const [record] = gh.requests().filter((r) => r.route === 'hooks.generic');
    expect(record).toMatchObject({
      identity: 'notifications',
      repo: 'fleet/apps',
      category: 'hooks',
      status: 200,
      event: { kind: 'Kustomization', namespace: 'team-00', name: 'app-001', reason: 'ReconciliationSucceeded', severity: 'info', revision: fluxEvent.metadata.revision },
    });
    // The message is free text from the controllers: not kept.
    expect(JSON.stringify(record)).not.toContain('configured');
    expect(gh.requestCounts().byRepo['fleet/apps']).toMatchObject({ requests: 1, hooks: 1, rest: 0, git: 0 });
  });

  it('refuses what a misaddressed or broken Provider would send, naming the problem', async () => {
    await start();
    expect((await post('/hooks/fleet/nope', fluxEvent)).status).toBe(404);
    const bad = await post('/hooks/fleet/apps', { ...fluxEvent, reason: undefined });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toBe('not a Flux event: reason: Invalid input: expected string, received undefined');
    expect((await fetch(`${gh.url}/hooks/fleet/apps`)).status).toBe(405);
    expect((await post('/hooks/fleet', fluxEvent)).status).toBe(404);
    expect((await post('/hooks/fleet/apps', fluxEvent, { authorization: 'Bearer ghp_unknown000000000000000000000000000000' })).status).toBe(401);
    // Without credentials a webhook is still taken, as a plain receiver would; it counts as anonymous.
    expect((await post('/hooks/fleet/apps', fluxEvent, {})).status).toBe(200);
    expect(gh.requests().at(-1)?.identity).toMatch(/^anonymous:/);
  });

  it('is not charged against the REST quota unless rateLimits.counts names hooks', async () => {
    await start({ rateLimits: { token: 2 } });
    for (let i = 0; i < 3; i += 1) expect((await post('/hooks/fleet/apps', fluxEvent)).status).toBe(200);
    await gh.stop();
    await start({ storageRoot: join(work, 'storage2'), rateLimits: { token: 2, counts: ['rest', 'hooks'] } });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await post('/hooks/fleet/apps', fluxEvent)).status);
    expect(statuses).toEqual([200, 200, 403]);
    expect(gh.requests().at(-1)?.limited).toBe('primary');
  });

  it('answers faults matched by its route like any other', async () => {
    await start({ faults: [{ type: 'error', status: 503, match: { route: 'hooks.*' } }] });
    expect((await post('/hooks/fleet/apps', fluxEvent)).status).toBe(503);
    expect(gh.requestCounts().byRepo['fleet/apps']).toMatchObject({ hooks: 1, failed: 1 });
  });
});
