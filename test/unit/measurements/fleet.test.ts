import { createServer as createHttpsServer, type Server } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { analyzeFleet, fleetMeasurement, fleetMetrics, type FleetStats } from '../../../src/measurements/fleet.ts';
import type { ReportSection } from '../../../src/measurements/types.ts';
import { FleetSampler, spokeProcessSamples } from '../../../src/metrics/fleet-sampler.ts';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Sample } from '../../../src/metrics/sample.ts';
import { createRunCertificateAuthority } from '../../../src/serving/tls.ts';

const lag = (ts: number, stage: string, object: string, value: number): Sample => ({ ts, kind: 'lag', name: stage, value, labels: { object, stage, repo: 'fluxbench/team-a', commit: 'c' } });
const ready = (name: 'seen' | 'ready', namespace: string, object: string): Sample => ({ ts: 1, kind: 'ready', name, labels: { kind: 'Kustomization', namespace, name: object } });

describe('fleet analysis', () => {
  it('groups lag and readiness by spoke namespace, leaves the hub out, and flags the spoke that stopped answering', () => {
    const fleet = [
      { ts: 0, kind: 'fleet', name: 'spoke', labels: { spoke: 'spoke-01' }, detail: { apiServerUrl: 'https://127.0.0.1:1001' } },
      { ts: 0, kind: 'fleet', name: 'spoke', labels: { spoke: 'spoke-02' }, detail: { apiServerUrl: 'https://127.0.0.1:1002' } },
      { ts: 5, kind: 'fleet', name: 'api_latency', value: 0.004, labels: { spoke: 'spoke-01' } },
      { ts: 5, kind: 'fleet', name: 'api_latency', value: 0.006, labels: { spoke: 'spoke-02' } },
      { ts: 10, kind: 'fleet', name: 'unreachable', labels: { spoke: 'spoke-02' }, detail: { error: 'connect ECONNREFUSED 127.0.0.1:1002' } },
    ] satisfies Sample[];
    const lags = [
      lag(100, 'applied', 'Kustomization/spoke-01/app-001', 3),
      lag(200, 'applied', 'Kustomization/spoke-01/app-002', 5),
      lag(150, 'applied', 'Kustomization/spoke-02/app-001', 4),
      lag(160, 'ready', 'Kustomization/spoke-02/app-001', 6),
      // The hub's own objects are no spoke's.
      lag(170, 'applied', 'Kustomization/flux-system/fleet', 1),
    ];
    const readies = [ready('seen', 'spoke-01', 'app-001'), ready('ready', 'spoke-01', 'app-001'), ready('seen', 'spoke-02', 'app-001'), ready('seen', 'team-a', 'x')];
    const analysis = analyzeFleet(fleet, lags, readies);
    expect(Object.keys(analysis.spokes)).toEqual(['spoke-01', 'spoke-02']);
    const one = analysis.spokes['spoke-01']!;
    expect(one).toMatchObject({ apiServerUrl: 'https://127.0.0.1:1001', unreachable: 0, seen: 1, ready: 1, lastAppliedAt: 200 });
    expect(one.lag.applied).toMatchObject({ count: 2, max: 5 });
    const two = analysis.spokes['spoke-02']!;
    expect(two).toMatchObject({ unreachable: 1, lastError: 'connect ECONNREFUSED 127.0.0.1:1002', seen: 1, ready: 0 });
    expect(two.lag.ready).toMatchObject({ count: 1, max: 6 });

    const metrics = fleetMetrics(analysis);
    expect(metrics).toMatchObject({
      'fleet.spokes': 2,
      'fleet.unreachable_spokes': 1,
      'fleet.spoke-01.lag.applied.count': 2,
      'fleet.spoke-02.lag.applied.count': 1,
      'fleet.spoke-01.ready': 1,
      'fleet.spoke-02.unreachable': 1,
      'fleet.lag.applied.p95.max': 5,
    });
    expect(metrics['fleet.spoke-01.api_latency.p95']).toBeCloseTo(0.004);
    expect(fleetMeasurement.warnings!({ fleet: analysis })).toEqual([
      'spoke spoke-02: its API server did not answer 1 probe(s) (last: connect ECONNREFUSED 127.0.0.1:1002); 2 of 2 spokes applied commits in the run',
    ]);
    const section = fleetMeasurement.report as ReportSection<{ fleet: FleetStats }>;
    expect(section.table({ fleet: analysis }).rows.map((r) => r.slice(0, 3))).toEqual([
      ['spoke-01', '1/1', '2'],
      ['spoke-02', '0/1', '1'],
    ]);
  });

  it("sums each spoke's processes' memory and CPU, and gives the per-spoke averages", () => {
    const cost = (ts: number, spoke: string, name: 'rss_bytes' | 'cpu_cores', value: number): Sample => ({ ts, kind: 'fleet', name, value, labels: { spoke } });
    const fleet = [
      { ts: 0, kind: 'fleet', name: 'spoke', labels: { spoke: 'spoke-01' }, detail: { apiServerUrl: 'https://127.0.0.1:1001' } },
      { ts: 0, kind: 'fleet', name: 'spoke', labels: { spoke: 'spoke-02' }, detail: { apiServerUrl: 'https://127.0.0.1:1002' } },
      cost(5, 'spoke-01', 'rss_bytes', 300 * 2 ** 20),
      cost(10, 'spoke-01', 'rss_bytes', 400 * 2 ** 20),
      cost(10, 'spoke-01', 'cpu_cores', 0.02),
      cost(15, 'spoke-01', 'cpu_cores', 0.04),
      cost(5, 'spoke-02', 'rss_bytes', 200 * 2 ** 20),
      cost(10, 'spoke-02', 'cpu_cores', 0.01),
    ] satisfies Sample[];
    const analysis = analyzeFleet(fleet, [], []);
    expect(analysis.spokes['spoke-01']).toMatchObject({ rssBytes: { max: 400 * 2 ** 20, mean: 350 * 2 ** 20 } });
    expect(analysis.spokes['spoke-01']!.cpuCores!.mean).toBeCloseTo(0.03);
    const metrics = fleetMetrics(analysis);
    expect(metrics['fleet.spoke-01.rss.max']).toBe(400 * 2 ** 20);
    expect(metrics['fleet.rss_per_spoke.avg']).toBe(300 * 2 ** 20);
    expect(metrics['fleet.cpu_cores_per_spoke.avg']).toBeCloseTo(0.02);
    const section = fleetMeasurement.report as ReportSection<{ fleet: FleetStats }>;
    expect(section.table({ fleet: analysis }).rows.map((r) => r.slice(8))).toEqual([
      ['400 MiB', '0.030'],
      ['200 MiB', '0.010'],
    ]);
  });

  it("reads a spoke's processes from /proc: resident memory summed, CPU as a rate from the second reading, a gone process left out", async () => {
    // A real busy process stands in for a component: its CPU rate must come out above zero.
    const busy = spawn(process.execPath, ['-e', 'const end = Date.now() + 3000; while (Date.now() < end);'], { stdio: 'ignore' });
    try {
      const previous = new Map();
      const pids = { 'kube-apiserver': busy.pid!, etcd: process.pid, 'kube-controller-manager': 2 ** 22 + 1 };
      const first = await spokeProcessSamples('spoke-01', pids, previous, Date.now(), 100);
      expect(first.map((s) => s.name)).toEqual(['rss_bytes']);
      const components = first[0]!.detail!.components as Record<string, number>;
      expect(Object.keys(components).sort()).toEqual(['etcd', 'kube-apiserver']);
      expect(first[0]!.value).toBe(components.etcd! + components['kube-apiserver']!);
      await new Promise((resolve) => setTimeout(resolve, 700));
      const second = await spokeProcessSamples('spoke-01', pids, previous, Date.now(), 100);
      const cores = second.find((s) => s.name === 'cpu_cores')!;
      expect(cores.labels).toEqual({ spoke: 'spoke-01' });
      // Well under the core the loop asks for: the machine may be busy.
      expect(cores.value).toBeGreaterThan(0.05);
    } finally {
      busy.kill('SIGKILL');
    }
  });

  it('gives no metrics for a run without spokes', () => {
    expect(fleetMetrics(analyzeFleet([], [lag(1, 'applied', 'Kustomization/team-a/app', 1)], []))).toEqual({});
  });
});

describe('the spoke sampler', () => {
  let work: string;
  let server: Server;
  let silent: TcpServer;
  const held: Socket[] = [];
  let kubeconfigPath: string;
  let silentKubeconfig: string;
  let url: string;
  const seenAuth: string[] = [];

  const kubeconfig = (server: string, ca: string) =>
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'spoke', cluster: { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') } }],
      users: [{ name: 'admin', user: { token: 'spoke-token' } }],
      contexts: [{ name: 'spoke', context: { cluster: 'spoke', user: 'admin' } }],
      'current-context': 'spoke',
    });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'fb-fleet-'));
    const authority = await createRunCertificateAuthority('fleet test CA');
    const issued = await authority.issue([]);
    server = createHttpsServer({ key: issued.key, cert: issued.cert }, (req, res) => {
      seenAuth.push(String(req.headers.authorization));
      res.setHeader('content-type', 'application/json');
      res.end('{"kind":"NamespaceList","items":[]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
    kubeconfigPath = join(work, 'spoke-01.kubeconfig');
    await writeFile(kubeconfigPath, kubeconfig(url, authority.caPem), { mode: 0o600 });
    // A paused API server: the kernel accepts the connection, nothing ever answers.
    silent = createTcpServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentKubeconfig = join(work, 'spoke-02.kubeconfig');
    await writeFile(silentKubeconfig, kubeconfig(`https://127.0.0.1:${(silent.address() as { port: number }).port}`, authority.caPem), { mode: 0o600 });
  });

  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
    await new Promise((resolve) => server.close(resolve));
    await rm(work, { recursive: true, force: true });
  });

  it('probes every spoke with its own credentials, timing the answering one and recording the silent one as unreachable', async () => {
    const samples: Sample[] = [];
    const sampler = new FleetSampler({ timeoutMs: 300 });
    await sampler.start({
      sink: { write: (s) => samples.push(s) },
      controllers: [],
      interval: 200,
      spokes: [
        { name: 'spoke-01', apiServerUrl: url, kubeconfig: readFileSync(kubeconfigPath, 'utf8') },
        { name: 'spoke-02', apiServerUrl: `https://127.0.0.1:${(silent.address() as { port: number }).port}`, kubeconfig: readFileSync(silentKubeconfig, 'utf8') },
      ],
    });
    await expect.poll(() => samples.filter((s) => s.name === 'unreachable').length, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    await sampler.stop();
    expect(samples.filter((s) => s.name === 'spoke').map((s) => s.labels!.spoke)).toEqual(['spoke-01', 'spoke-02']);
    const latencies = samples.filter((s) => s.name === 'api_latency');
    expect(latencies.length).toBeGreaterThanOrEqual(2);
    expect(latencies.every((s) => s.labels!.spoke === 'spoke-01' && s.value! > 0 && s.value! < 0.3)).toBe(true);
    const unreachable = samples.filter((s) => s.name === 'unreachable');
    expect(unreachable.every((s) => s.labels!.spoke === 'spoke-02')).toBe(true);
    expect(String(unreachable[0]!.detail!.error)).toMatch(/no complete answer within 300 ms/);
    expect(seenAuth.every((a) => a === 'Bearer spoke-token')).toBe(true);
    // Credentials stay out of the samples.
    expect(JSON.stringify(samples)).not.toContain('spoke-token');
  });
});
