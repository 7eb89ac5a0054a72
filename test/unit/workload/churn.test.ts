import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../../../src/util/exit-codes.ts';
import { churnTarget, commitChange, generateWorkload, pushNotification, startChurn, type ChurnApp, type ChurnRepo, type CommitEvent } from '../../../src/workload/index.ts';
import { git, tempDir } from './helpers.ts';

let storageRoot: string;
let repo: ChurnRepo;
let apps: ChurnApp[];

beforeAll(async () => {
  storageRoot = tempDir('churn');
  const workload = await generateWorkload({ apps: 6, teams: 2 }, { storageRoot, gitBaseUrl: 'http://127.0.0.1:18080' });
  ({ repo, apps } = churnTarget(workload, 'fluxbench/fleet'));
});

afterAll(() => rmSync(storageRoot, { recursive: true, force: true }));

const head = () => git(['rev-parse', 'refs/heads/main'], repo.path).trim();

describe('commitChange', () => {
  it('commits on top of main, bumping the apps churn ConfigMaps', async () => {
    const before = head();
    const event = await commitChange({ repo, apps: [apps[0]!, apps[1]!], bytes: 1000 });
    expect(event.parentSha).toBe(before);
    expect(event.sha).toBe(head());
    expect(git(['rev-parse', `${event.sha}^`], repo.path).trim()).toBe(before);
    expect(event.apps).toEqual([apps[0]!.name, apps[1]!.name]);
    expect(pushNotification(event)).toEqual({ owner: 'fluxbench', repo: 'fleet', push: { ref: 'refs/heads/main', before, after: event.sha } });
    expect(Math.abs(Date.now() - event.pushedAt)).toBeLessThan(10_000);
    const changed = git(['diff', '--name-only', before, event.sha], repo.path).trim().split('\n').sort();
    expect(changed).toEqual([`${apps[0]!.dir}/churn.yaml`, `${apps[1]!.dir}/churn.yaml`].sort());
    const configMap = parseYaml(git(['show', `${event.sha}:${apps[0]!.dir}/churn.yaml`], repo.path));
    expect(configMap.metadata.name).toBe(`${apps[0]!.name}-churn`);
    expect(configMap.data.payload).toHaveLength(500);
    expect(configMap.data.generation).not.toBe('0');
  });

  it('serialises concurrent commits to one repo into a linear history', async () => {
    const before = head();
    const events = await Promise.all(apps.slice(0, 5).map((app) => commitChange({ repo, apps: [app] })));
    expect(git(['rev-list', '--count', `${before}..main`], repo.path).trim()).toBe('5');
    expect(git(['rev-list', '--merges', '--count', 'main'], repo.path).trim()).toBe('0');
    const chain = [before, ...events.map((e) => e.sha)];
    events.forEach((e, i) => expect(e.parentSha).toBe(chain[i]));
    expect(head()).toBe(events.at(-1)!.sha);
  });

  it('writes extra files and rejects an empty change', async () => {
    const event = await commitChange({ repo, apps: [], files: { 'notes/hello.txt': 'hi\n' } });
    expect(git(['show', `${event.sha}:notes/hello.txt`], repo.path)).toBe('hi\n');
    await expect(commitChange({ repo, apps: [] })).rejects.toThrow(UsageError);
  });
});

describe('startChurn', () => {
  it('commits at the bounded rate until maxCommits, reporting each commit', async () => {
    const events: CommitEvent[] = [];
    const before = head();
    const started = Date.now();
    const churn = startChurn({ repo, apps, select: ['app-00*'], rate: 20, maxCommits: 6, maxDuration: '30s', appsPerCommit: 2, onCommit: (e) => void events.push(e) });
    const summary = await churn.done;
    const elapsed = Date.now() - started;
    expect(summary.commits).toBe(6);
    expect(summary.reason).toBe('maxCommits');
    expect(events).toHaveLength(6);
    // commit n is not due before n/rate seconds: 5 intervals of 50 ms
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(events[0]!.parentSha).toBe(before);
    for (let i = 1; i < events.length; i++) expect(events[i]!.parentSha).toBe(events[i - 1]!.sha);
    expect(summary.lastSha).toBe(head());
    for (const e of events) expect(e.apps).toHaveLength(2);
  });

  it('honours the selector', async () => {
    const events: CommitEvent[] = [];
    await startChurn({ repo, apps, select: ['app-003'], rate: 100, maxCommits: 3, maxDuration: 10_000, onCommit: (e) => void events.push(e) }).done;
    expect(events.flatMap((e) => e.apps)).toEqual(['app-003', 'app-003', 'app-003']);
  });

  it('stops at maxDuration and on stop()', async () => {
    const timed = await startChurn({ repo, apps, rate: 5, maxCommits: 1000, maxDuration: 500 }).done;
    expect(timed.reason).toBe('maxDuration');
    expect(timed.commits).toBeGreaterThanOrEqual(1);
    expect(timed.commits).toBeLessThanOrEqual(4);
    expect(timed.endedAt - timed.startedAt).toBeLessThan(5_000);

    const churn = startChurn({ repo, apps, rate: 2, maxCommits: 1000, maxDuration: '1m' });
    await new Promise((r) => setTimeout(r, 700));
    const stopStarted = Date.now();
    const stopped = await churn.stop();
    expect(Date.now() - stopStarted).toBeLessThan(2_000);
    expect(stopped.reason).toBe('stopped');
    expect(stopped.commits).toBeGreaterThanOrEqual(1);
    expect(stopped.commits).toBeLessThanOrEqual(3);
    const after = head();
    await new Promise((r) => setTimeout(r, 700));
    expect(head()).toBe(after);
  });

  it('rejects unbounded or empty churn with a UsageError', () => {
    expect(() => startChurn({ repo, apps, rate: 0, maxCommits: 1, maxDuration: 1000 })).toThrow(/rate 0: must be/);
    expect(() => startChurn({ repo, apps, rate: 1, maxCommits: 0, maxDuration: 1000 })).toThrow(/maxCommits 0/);
    expect(() => startChurn({ repo, apps, rate: 1, maxCommits: 1, maxDuration: 'forever' })).toThrow(/maxDuration: invalid duration/);
    expect(() => startChurn({ repo, apps, rate: 1, maxCommits: 1, maxDuration: 0 })).toThrow(/maxDuration 0: must be longer than 0/);
    expect(() => startChurn({ repo, apps, rate: 1, maxCommits: 1, maxDuration: 1000, select: ['nope-*'] })).toThrow(UsageError);
  });

  it('surfaces an onCommit failure through done', async () => {
    const churn = startChurn({ repo, apps, rate: 50, maxCommits: 5, maxDuration: 10_000, onCommit: () => {
      throw new Error('webhook down');
    } });
    await expect(churn.done).rejects.toThrow('webhook down');
  });
});
