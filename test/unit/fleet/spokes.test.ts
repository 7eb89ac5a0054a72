import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StartedCluster } from '../../../src/cluster/index.ts';
import { spokeControllerManagerArgs, startSpokes, type SpokeClusterOptions, type SpokeClusterStarter } from '../../../src/fleet/index.ts';
import { RunRegistry, readRunRecords } from '../../../src/lifecycle/index.ts';
import type { Toolchain } from '../../../src/toolchain/index.ts';
import { FluxbenchError, UsageError } from '../../../src/util/exit-codes.ts';

const key = Buffer.from('-----BEGIN EC PRIVATE KEY-----\nspoke secret key\n-----END EC PRIVATE KEY-----\n');

/**
 * A stand-in for startLocalCluster: writes what kwokctl would (a kubeconfig naming pki files)
 * after `delayMs`, records every call, start and stop, and fails the spokes it is told to.
 */
function fakeStarter(plan: Record<string, { delayMs?: number; gate?: Promise<void>; fail?: string }> = {}) {
  const events: string[] = [];
  const options: SpokeClusterOptions[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const stops = new Map<string, number>();
  const start: SpokeClusterStarter = async (_toolchain, o) => {
    options.push(o);
    events.push(`start ${o.name}`);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const spoke = o.name.replace(/^fb-1-/, '');
    try {
      await (plan[spoke]?.gate ?? sleep(plan[spoke]?.delayMs ?? 20));
      // As startLocalCluster: it deletes its own cluster before throwing, so the caller has nothing to stop.
      if (plan[spoke]?.fail) events.push(`failed ${o.name}`);
      if (plan[spoke]?.fail) throw new FluxbenchError(`kwokctl create cluster ${o.name} failed (exit 1):\n${plan[spoke].fail}`);
      const pki = join(o.runDir, 'pki');
      await mkdir(pki, { recursive: true });
      await writeFile(join(pki, 'ca.crt'), 'ca');
      await writeFile(join(pki, 'admin.crt'), 'cert');
      await writeFile(join(pki, 'admin.key'), key);
      const kubeconfigPath = join(o.runDir, 'kubeconfig');
      const port = 40000 + options.length;
      await writeFile(
        kubeconfigPath,
        `clusters: [{name: c, cluster: {server: 'https://127.0.0.1:${port}', certificate-authority: ${pki}/ca.crt}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
users: [{name: u, user: {client-certificate: ${pki}/admin.crt, client-key: ${pki}/admin.key}}]
`,
      );
      events.push(`started ${o.name}`);
      const cluster: StartedCluster = {
        provider: 'local',
        name: o.name,
        kubeconfigPath,
        apiServerUrl: `https://127.0.0.1:${port}`,
        componentPids: async () => ({}),
        stop: async () => {
          stops.set(o.name, (stops.get(o.name) ?? 0) + 1);
          events.push(`stop ${o.name}`);
        },
      };
      return cluster;
    } finally {
      inFlight--;
    }
  };
  return { start, events, options, stops, maxInFlight: () => maxInFlight };
}

describe('startSpokes', () => {
  let dir: string;
  let registry: RunRegistry;
  const toolchain = () => ({ cacheRoot: join(dir, 'cache'), binaries: { kwokctl: '/bin/kwokctl' } }) as unknown as Toolchain;
  const recorded = () => readRunRecords(join(dir, 'cache'))[0]!.record.kwokClusters.map((c) => c.name);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fb-fleet-spokes-'));
    registry = new RunRegistry(join(dir, 'cache'), 'fb-1');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('starts each spoke as a light cluster under <runDir>/spokes/<spoke>, one at a time unless told otherwise, registered before creation', async () => {
    const fake = fakeStarter();
    const logs: string[] = [];
    const names = ['spoke-01', 'spoke-02', 'spoke-03', 'spoke-04', 'spoke-05'];
    const order: string[] = [];
    const spyRegistry = { addKwokCluster: (c: { name: string; kwokctl: string; workdir: string }) => (order.push(`register ${c.name}`), registry.addKwokCluster(c)) };
    const origStart = fake.start;
    const start: SpokeClusterStarter = (t, o) => (order.push(`create ${o.name}`), origStart(t, o));
    const fleet = await startSpokes({ toolchain: toolchain(), runId: 'fb-1', runDir: join(dir, 'run'), names, registry: spyRegistry, log: (l) => logs.push(l) }, start);

    expect(fleet.spokes.map((s) => s.name)).toEqual(names);
    // kwokctl picks free ports by probing: two creates at once can take the same.
    expect(fake.maxInFlight()).toBe(1);
    for (const name of names) expect(order.indexOf(`register fb-1-${name}`)).toBe(order.indexOf(`create fb-1-${name}`) - 1);
    expect(recorded()).toEqual(names.map((n) => `fb-1-${n}`));
    expect(readRunRecords(join(dir, 'cache'))[0]!.record.kwokClusters[0]).toEqual({ name: 'fb-1-spoke-01', kwokctl: '/bin/kwokctl', workdir: join(dir, 'cache', 'kwok') });
    expect(fake.options[0]).toEqual({
      name: 'fb-1-spoke-01',
      runDir: join(dir, 'run', 'spokes', 'spoke-01'),
      nodes: 0,
      disable: { kubeScheduler: true, kwokController: true },
      controlPlane: { controllerManager: { args: ['--leader-elect=false', '--controllers=deployment-controller,replicaset-controller,namespace-controller,serviceaccount-controller,job-controller'] } },
    });

    const spoke = fleet.spoke('spoke-02');
    expect(spoke.origin).toBe('local');
    expect(spoke.present).toBe(true);
    expect(spoke.apiServerUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(spoke.kubeconfig).toContain(`client-key-data: ${key.toString('base64')}`);
    expect(spoke.kubeconfig).not.toMatch(/client-key:|client-certificate:|certificate-authority:/);
    expect(() => fleet.spoke('spoke-09')).toThrow(UsageError);
    // Secrets never logged.
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) expect(line).not.toMatch(/BEGIN|secret|-data/);
    expect(logs.join('\n')).not.toContain(key.toString('base64'));
  });

  it('starts at most `concurrency` at a time', async () => {
    const fake = fakeStarter();
    await startSpokes({ toolchain: toolchain(), runId: 'fb-1', runDir: join(dir, 'run'), names: ['a', 'b', 'c', 'd', 'e'], registry, concurrency: 3 }, fake.start);
    expect(fake.maxInFlight()).toBe(3);
    const one = fakeStarter();
    await startSpokes({ toolchain: toolchain(), runId: 'fb-1', runDir: join(dir, 'run'), names: ['a', 'b', 'c'], registry, concurrency: 1 }, one.start);
    expect(one.maxInFlight()).toBe(1);
    expect(one.events).toEqual(['start fb-1-a', 'started fb-1-a', 'start fb-1-b', 'started fb-1-b', 'start fb-1-c', 'started fb-1-c']);
  });

  it('passes the control-plane settings on to every spoke', async () => {
    const fake = fakeStarter();
    const controlPlane = { apiServer: { priorityAndFairness: false, args: ['--v=2'] }, controllerManager: { args: ['--controllers=*'] } };
    await startSpokes({ toolchain: toolchain(), runId: 'fb-1', runDir: join(dir, 'run'), names: ['a', 'b'], registry, controlPlane }, fake.start);
    // The spoke's own controller-manager flags first, the scenario's after them (the last of a flag wins).
    const expected = { apiServer: controlPlane.apiServer, controllerManager: { args: [...spokeControllerManagerArgs, '--controllers=*'] } };
    expect(fake.options.map((o) => o.controlPlane)).toEqual([expected, expected]);
  });

  it('stops every spoke in parallel, once, however often the fleet is stopped', async () => {
    const fake = fakeStarter();
    const fleet = await startSpokes({ toolchain: toolchain(), runId: 'fb-1', runDir: join(dir, 'run'), names: ['a', 'b', 'c'], registry }, fake.start);
    await Promise.all([fleet.stop(), fleet.stop()]);
    await fleet.stop();
    await fleet.spoke('a').stop();
    expect([...fake.stops.entries()].sort()).toEqual([
      ['fb-1-a', 1],
      ['fb-1-b', 1],
      ['fb-1-c', 1],
    ]);
  });

  it('deletes a spoke and creates it again under the same name, with a new address and kubeconfig, registered once', async () => {
    const fake = fakeStarter();
    const fleet = await startSpokes({ toolchain: toolchain(), runId: 'fb-1', runDir: join(dir, 'run'), names: ['a', 'b'], registry }, fake.start);
    const a = fleet.spoke('a');
    const before = { url: a.apiServerUrl, kubeconfig: a.kubeconfig };
    await expect(a.recreate()).rejects.toThrow(/exists: delete it before/);
    await Promise.all([a.delete(), a.delete()]);
    expect(a.present).toBe(false);
    expect(fake.stops.get('fb-1-a')).toBe(1);
    expect(await a.componentPids()).toEqual({});
    await expect(a.stopApiServer()).rejects.toThrow('spoke a is deleted: its cluster does not exist');
    // The last address is still what the spoke is known by while it is gone.
    expect(a.apiServerUrl).toBe(before.url);
    await a.recreate();
    expect(a.present).toBe(true);
    expect(a.apiServerUrl).not.toBe(before.url);
    expect(a.kubeconfig).not.toBe(before.kubeconfig);
    expect(a.kubeconfig).toContain(a.apiServerUrl);
    expect(fake.events.filter((e) => e === 'start fb-1-a')).toHaveLength(2);
    expect(recorded()).toEqual(['fb-1-a', 'fb-1-b']);
    await fleet.stop();
    expect(fake.stops.get('fb-1-a')).toBe(2);
    await expect(a.recreate()).rejects.toThrow('spoke a is stopped: it is not created again');
  });

  it('creates spokes again one at a time across the fleet, and keeps a spoke whose delete failed for stop() to retry', async () => {
    const fake = fakeStarter({ 'fb-1-a': { delayMs: 30 }, 'fb-1-b': { delayMs: 30 } });
    const fleet = await startSpokes({ toolchain: toolchain(), runId: 'fb-1', runDir: join(dir, 'run'), names: ['a', 'b'], registry }, fake.start);
    await Promise.all([fleet.spoke('a').delete(), fleet.spoke('b').delete()]);
    const before = fake.maxInFlight();
    await Promise.all([fleet.spoke('a').recreate(), fleet.spoke('b').recreate()]);
    expect(before).toBe(1);
    expect(fake.maxInFlight()).toBe(1);

    let failDelete = true;
    const flaky: SpokeClusterStarter = async (t, o) => {
      const cluster = await fake.start(t, o);
      return { ...cluster, stop: async () => (failDelete ? Promise.reject(new Error('kwokctl delete failed')) : cluster.stop()) };
    };
    const other = await startSpokes({ toolchain: toolchain(), runId: 'fb-2', runDir: join(dir, 'run2'), names: ['c'], registry }, flaky);
    await expect(other.spoke('c').delete()).rejects.toThrow('kwokctl delete failed');
    expect(other.spoke('c').present).toBe(true);
    failDelete = false;
    await other.stop();
    expect(other.spoke('c').present).toBe(false);
    expect(fake.stops.get('fb-2-c')).toBe(1);
  });

  it('deletes a spoke created again while the fleet was being stopped', async () => {
    const fake = fakeStarter();
    let calls = 0;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // The second creation (the re-add) waits for the gate, so the stop lands in the middle of it.
    const start: SpokeClusterStarter = async (t, o) => (++calls === 2 && (await gate), fake.start(t, o));
    const fleet = await startSpokes({ toolchain: toolchain(), runId: 'fb-1', runDir: join(dir, 'run'), names: ['a'], registry }, start);
    const a = fleet.spoke('a');
    await a.delete();
    const again = a.recreate().catch((err: Error) => err);
    await expect(a.recreate()).rejects.toThrow('spoke a is being created again already');
    // The stop waits for the creation under way, then deletes what it made: nothing is left behind.
    let stopped = false;
    const stopping = fleet.stop().then(() => (stopped = true));
    await sleep(30);
    expect(stopped).toBe(false);
    open();
    await stopping;
    expect(((await again) as Error).message).toBe('spoke a was stopped while it was created again');
    expect(a.present).toBe(false);
    expect(fake.stops.get('fb-1-a')).toBe(2);
  });

  it('when a spoke fails, starts no more, stops those started and names the spoke with kwokctl\'s output', async () => {
    // 01 and 02 start; 01 ends and 03 starts and fails while 02 is still starting; 02 ends; 04 and 05 never start.
    const gate = () => {
      let open!: () => void;
      return { promise: new Promise<void>((resolve) => (open = resolve)), open: () => open() };
    };
    const [one, two] = [gate(), gate()];
    const fake = fakeStarter({ 'spoke-01': { gate: one.promise }, 'spoke-02': { gate: two.promise }, 'spoke-03': { delayMs: 1, fail: 'etcd: address already in use' } });
    const names = ['spoke-01', 'spoke-02', 'spoke-03', 'spoke-04', 'spoke-05'];
    const starting = startSpokes({ toolchain: toolchain(), runId: 'fb-1', runDir: join(dir, 'run'), names, registry, concurrency: 2 }, fake.start).catch((err: unknown) => err);
    one.open();
    while (!fake.events.includes('failed fb-1-spoke-03')) await sleep(5);
    await sleep(5);
    two.open();
    const error = await starting;
    expect(error).toBeInstanceOf(FluxbenchError);
    expect((error as Error).message).toBe('spoke spoke-03 did not start: kwokctl create cluster fb-1-spoke-03 failed (exit 1):\netcd: address already in use');
    expect(fake.events.filter((e) => e.startsWith('start '))).toEqual(['start fb-1-spoke-01', 'start fb-1-spoke-02', 'start fb-1-spoke-03']);
    expect([...fake.stops.keys()].sort()).toEqual(['fb-1-spoke-01', 'fb-1-spoke-02']);
    // Everything created was registered first, so a reaper would find it too.
    expect(recorded()).toEqual(['fb-1-spoke-01', 'fb-1-spoke-02', 'fb-1-spoke-03']);
  });

  it('deletes a spoke whose kubeconfig cannot be made self-contained, and the others', async () => {
    const fake = fakeStarter({ b: { delayMs: 40 } });
    const start: SpokeClusterStarter = async (t, o) => {
      const cluster = await fake.start(t, o);
      if (o.name === 'fb-1-a') await rm(join(o.runDir, 'pki', 'admin.key'));
      return cluster;
    };
    const error = await startSpokes({ toolchain: toolchain(), runId: 'fb-1', runDir: join(dir, 'run'), names: ['a', 'b'], registry, concurrency: 2 }, start).catch((err: Error) => err);
    expect((error as Error).message).toMatch(/^spoke a did not start: kubeconfig: cannot read .*admin\.key: ENOENT$/);
    expect([...fake.stops.keys()].sort()).toEqual(['fb-1-a', 'fb-1-b']);
  });

  it('stops what it started and throws the reason when interrupted', async () => {
    const fake = fakeStarter();
    const abort = new AbortController();
    // Interrupted while a and b are being created: both finish, both are stopped, c never starts.
    const start: SpokeClusterStarter = (t, o) => {
      if (o.name === 'fb-1-b') abort.abort(new Error('interrupted'));
      return fake.start(t, o);
    };
    const error = await startSpokes({ toolchain: toolchain(), runId: 'fb-1', runDir: join(dir, 'run'), names: ['a', 'b', 'c', 'd'], registry, signal: abort.signal }, start).catch(
      (err: Error) => err,
    );
    expect((error as Error).message).toBe('interrupted');
    expect(fake.events).not.toContain('start fb-1-c');
    expect([...fake.stops.keys()].sort()).toEqual(['fb-1-a', 'fb-1-b']);
  });

  it('refuses bad input before starting anything', async () => {
    const fake = fakeStarter();
    const base = { toolchain: toolchain(), runId: 'fb-1', runDir: join(dir, 'run'), registry };
    await expect(startSpokes({ ...base, names: ['Spoke'] }, fake.start)).rejects.toThrow(UsageError);
    await expect(startSpokes({ ...base, names: ['a'], concurrency: 0 }, fake.start)).rejects.toThrow(/concurrency/);
    expect(fake.events).toEqual([]);
    expect(existsSync(join(dir, 'run'))).toBe(false);
    expect(await readFile(registry.path, 'utf8')).toContain('"kwokClusters":[]');
  });
});
