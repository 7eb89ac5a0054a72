import { describe, expect, it } from 'vitest';
import {
  formatMemoryQuantity,
  recommend,
  renderSizingJson,
  renderSizingMarkdown,
  roundUpMemory,
  sizingTable,
  SIZING_SCHEMA_VERSION,
  type SizingConfig,
  type SizingReport,
} from '../../../src/sizing/index.ts';
import { summaryOf, typicalShape } from './sizing-run.ts';

const Mi = 1024 ** 2;
const targets = { lagP95: '60s', githubRequestsPerMinute: 83, listP95: '1s' };

function configs(): SizingConfig[] {
  const out: SizingConfig[] = [];
  for (const apps of [50, 200]) for (const interval of ['5m', '1m']) for (const concurrency of [4, 10]) out.push({ apps, interval, concurrency, shards: 1 });
  return out;
}

describe('sizingTable', () => {
  const results = configs().map((config) => ({ config, summary: summaryOf(config), runDir: `/reports/${config.apps}` }));
  const table = sizingTable(results);

  it('has one row per run with the measured numbers of its summary', () => {
    expect(table).toHaveLength(8);
    const row = table.find((r) => r.apps === 200 && r.interval === '1m' && r.concurrency === 10)!;
    const shape = typicalShape(row);
    expect(row.memoryMaxBytes['source-controller']).toBe(Math.round(shape.rssMax['source-controller']!));
    expect(row.memoryMaxBytes['kustomize-controller']).toBe(Math.round(shape.rssMax['kustomize-controller']!));
    expect(Object.keys(row.memoryMaxBytes).sort()).toEqual(['kustomize-controller', 'source-controller']);
    expect(row.cpuMaxCores['kustomize-controller']).toBeCloseTo(0.13, 5);
    expect(row.cpuAvgCores['kustomize-controller']).toBeGreaterThan(0.05);
    expect(row.lagAppliedP95Seconds).toBeGreaterThan(Math.max(...shape.appliedLag) * 0.9);
    expect(row.lagAppliedP95Seconds).toBeLessThanOrEqual(Math.max(...shape.appliedLag));
    expect(row.listKustomizationsP95Seconds).toBeCloseTo(0.05, 5);
    expect(row.etcdDbMaxBytes).toBe(20 * Mi + 36 * 4096);
    expect(row.githubRequests).toBe(Math.round(shape.githubPerMinute * 3));
    // Over the span from the first to the last sample (3 minutes here).
    expect(row.githubRequestsPerMinute).toBeCloseTo(shape.githubPerMinute, 0);
    expect(row).toMatchObject({ ooms: 0, restarts: 0, verdict: 'passed', runDir: '/reports/200', runId: 'sizing-a200-i1m-c10' });
  });

  it('marks a run without a summary as not run, and counts OOM kills', () => {
    const config: SizingConfig = { apps: 500, interval: '1m', concurrency: 4, shards: 1 };
    const oom = summaryOf(config, { ...typicalShape(config), oomKilled: 'kustomize-controller' });
    const [missing, killed] = sizingTable([{ config }, { config, summary: oom }]);
    expect(missing).toMatchObject({ apps: 500, verdict: 'not-run', memoryMaxBytes: {}, controlPlanePeakBytes: {} });
    expect(killed).toMatchObject({ ooms: 1, restarts: 1, verdict: 'failed' });
  });

  describe('recommend', () => {
    const rec = recommend(table, 1.3, targets);

    it('sizes memory limits from the largest measured RSS per app count, with headroom, rounded up', () => {
      expect(rec.byApps.map((b) => b.apps)).toEqual([50, 200]);
      const at200 = rec.byApps[1]!;
      const measured = Math.max(...table.filter((r) => r.apps === 200).map((r) => r.memoryMaxBytes['kustomize-controller']!));
      expect(at200.memory['kustomize-controller']!.measuredMaxBytes).toBe(measured);
      // (60 + 70 + 30) Mi × 1.3 = 208 Mi → the next 32Mi step.
      expect(at200.memory['kustomize-controller']).toMatchObject({ limitBytes: 224 * Mi, limit: '224Mi' });
      expect(at200.memory['kustomize-controller']!.limitBytes).toBeGreaterThanOrEqual(measured * 1.3);
      expect(rec.memory['kustomize-controller']).toEqual(at200.memory['kustomize-controller']);
      expect(rec.byApps[0]!.memory['source-controller']!.limitBytes).toBeLessThan(at200.memory['source-controller']!.limitBytes);
    });

    it('picks the cheapest concurrency that met the lag target, and the shortest interval the Git host tolerated', () => {
      // Changed deliberately with the lag split: the controllers' part (14s p95 at 200 apps, concurrency 4)
      // is judged, and the poll is bounded by the interval, so the longest interval with the least
      // concurrency fits; judged on the total, as before the split, no run fits (see lag-budget.test.ts).
      for (const entry of rec.byApps) {
        expect(entry.concurrency).toMatchObject({ concurrency: 4, shards: 1, interval: '5m' });
        expect(entry.concurrency!.lagControllersP95Seconds).toBeLessThan(60);
        expect(entry.concurrency!.lagArtifactP95Seconds).toBeLessThan(300 + 60);
        expect(entry.concurrency!.lagAppliedP95Seconds).toBeGreaterThan(60);
      }
      // 50 apps: 1m is 7 requests/min; 200 apps: 1m is 22/min, both under 83.
      expect(rec.byApps[0]!.interval).toMatchObject({ interval: '1m' });
      expect(rec.byApps[1]!.interval!.githubRequestsPerMinute).toBeCloseTo(22, 0);
      expect(rec.targets).toEqual({ lagP95Seconds: 60, lag: 'controllers', githubRequestsPerMinute: 83, listP95Seconds: 1 });
    });

    it('says why when nothing met a target', () => {
      // 50 apps: the controllers' part is 3.36s p95 at concurrency 10, over a 3s budget.
      const strict = recommend(table, 1.3, { lagP95: '3s', githubRequestsPerMinute: 1, listP95: '1s' });
      expect(strict.byApps[0]!.concurrency).toBeUndefined();
      expect(strict.byApps[0]!.interval).toBeUndefined();
      expect(strict.byApps[0]!.notes).toEqual([
        'no run kept lag.controllers.p95 under 3s (and lag.artifact.p95 under the interval + 3s) without restarts',
        "at interval 1m, concurrency 10, the controllers' part (artifact → applied) is over 3s: raise kustomize-controller --concurrent, shard it, or give it more CPU",
        'no interval kept Git host load at or under 1 requests/min with API list p95 under 1s',
      ]);
    });

    it('does not recommend a setting whose run was OOM-killed or hit 429s', () => {
      const config: SizingConfig = { apps: 50, interval: '1m', concurrency: 4, shards: 1 };
      const rows = sizingTable([
        { config, summary: summaryOf(config, { ...typicalShape(config), oomKilled: 'kustomize-controller', status429: 3 }) },
        { config: { ...config, concurrency: 10 }, summary: summaryOf({ ...config, concurrency: 10 }) },
        // Concurrency 10: judged on the controllers' part a 5m run fits too, and at 4 it would hide the OOM row.
        { config: { ...config, interval: '5m', concurrency: 10 }, summary: summaryOf({ ...config, interval: '5m', concurrency: 10 }) },
      ]);
      const entry = recommend(rows, 1.5, targets).byApps[0]!;
      expect(entry.concurrency).toMatchObject({ concurrency: 10 });
      expect(entry.interval).toMatchObject({ interval: '1m' });
      expect(rows[1]!.github429).toBe(0);
    });

    it('takes nothing from a run that did not measure to the end, and says so for its size', () => {
      const config: SizingConfig = { apps: 1000, interval: '1m', concurrency: 4, shards: 1 };
      const interrupted = { ...summaryOf(config), verdict: 'interrupted' as const };
      const rows = sizingTable([{ config: { ...config, apps: 50 }, summary: summaryOf({ ...config, apps: 50 }) }, { config, summary: interrupted }]);
      const byApps = recommend(rows, 1.3, targets).byApps;
      expect(byApps.map((b) => b.apps)).toEqual([50, 1000]);
      expect(byApps[1]).toEqual({ apps: 1000, memory: {}, notes: ['no run at this size measured to the end (interrupted)'] });
      expect(Object.keys(recommend(rows, 1.3, targets).memory)).toEqual(Object.keys(byApps[0]!.memory));
      expect(recommend(rows, 1.3, targets).memory['kustomize-controller']!.measuredMaxBytes).toBe(rows[0]!.memoryMaxBytes['kustomize-controller']);
    });
  });

  it('renders the table and recommendations as Markdown and JSON', () => {
    const report: SizingReport = {
      schemaVersion: SIZING_SCHEMA_VERSION,
      name: 'sizing',
      createdAt: '2026-11-25T10:00:00.000Z',
      base: 'scenarios/sizing.yaml (inline base)',
      planned: 9,
      stoppedEarly: 'a run with 200 apps failed',
      rows: table,
      recommendation: recommend(table, 1.3, targets),
    };
    const md = renderSizingMarkdown(report);
    expect(md).toContain('8 of 9 runs');
    expect(md).toContain('**Stopped early:** a run with 200 apps failed');
    expect(md).toContain('| apps | interval | concurrency | shards | mem kustomize | mem source |');
    expect(md).toContain('| all Ready after | lag p95 source | lag p95 controllers | lag p95 total |');
    expect(md).toContain('| 200 | 1m | 10 | 1 | 160Mi | 64Mi | 0.09/0.13 | 0.09/0.13 | 25s | 58s | 8.4s | 1m6s | 50ms | 20.14Mi | 22.0 | passed |');
    expect(md).toContain('| 4 / 1 (lag p95 source 4m46s, controllers 14s, total 5m at 5m) |');
    expect(md).toContain('Targets: lag.controllers.p95 < 1m (artifact → applied) and lag.artifact.p95 < interval + 1m');
    expect(md).toContain('| 200 | 224Mi (max ');
    expect(md).toContain('Over every run (the largest RSS measured): kustomize-controller 224Mi, source-controller 96Mi.');
    const json = JSON.parse(renderSizingJson(report)) as SizingReport;
    expect(json.rows).toHaveLength(8);
    expect(json.recommendation.byApps[1]!.memory['kustomize-controller']!.limit).toBe('224Mi');
  });
});

describe('time to Ready and API client limits in the table', () => {
  it('shows when every object was Ready, or how many never were', () => {
    const config: SizingConfig = { apps: 100, interval: '1m', concurrency: 10, shards: 1 };
    const [ready, stuck] = sizingTable([
      { config, summary: summaryOf(config) },
      { config, summary: summaryOf(config, { ...typicalShape(config), readyAfterSeconds: undefined }) },
    ]);
    expect(ready!.readyAllAfterSeconds).toBeCloseTo(15, 1);
    expect(ready!.notReady).toBe(0);
    expect(stuck!.readyAllAfterSeconds).toBeUndefined();
    expect(stuck!.notReady).toBe(2);
    const md = renderSizingMarkdown(reportOf([ready!, stuck!]));
    expect(md).toContain('| 100 | 1m | 10 | 1 | ');
    expect(md).toMatch(/\| 15s \| [^|]+ \| [^|]+ \| [^|]+ \|/);
    expect(md).toContain('| 2 never Ready |');
  });

  it('adds the limits column and the recommended limits only when the sweep varied them', () => {
    const config: SizingConfig = { apps: 100, interval: '1m', concurrency: 10, shards: 1 };
    const plain = renderSizingMarkdown(reportOf(sizingTable([{ config, summary: summaryOf(config) }])));
    expect(plain).not.toContain('kube-api-qps');
    const limited = { ...config, kubeApiQps: 500, kubeApiBurst: 1000 };
    const rows = sizingTable([{ config: limited, summary: summaryOf(limited) }]);
    const md = renderSizingMarkdown({ ...reportOf(rows), notes: ['Flux ignores these here'] });
    expect(md).toContain('| apps | interval | concurrency | shards | kube-api-qps/burst |');
    expect(md).toContain('| 100 | 1m | 10 | 1 | 500/1000 |');
    expect(md).toContain('**Note:** Flux ignores these here');
    expect(recommend(rows, 1.3, targets).byApps[0]!.concurrency).toMatchObject({ kubeApiQps: 500, kubeApiBurst: 1000 });
    expect(md).toMatch(/at 1m, kube-api-qps 500, kube-api-burst 1000\)/);
  });
});

describe('the control plane in the table', () => {
  it("shows kube-apiserver's and etcd's peak where the run read them, and no such columns where none did", () => {
    const config: SizingConfig = { apps: 500, interval: '1m', concurrency: 10, shards: 1 };
    const peaks = { 'kube-apiserver': 1608 * Mi, etcd: 188 * Mi, 'kube-scheduler': 70 * Mi };
    const [local, borrowed] = sizingTable([
      { config, summary: summaryOf(config, { ...typicalShape(config), controlPlanePeak: peaks }) },
      { config, summary: summaryOf(config) },
    ]);
    // VmHWM, not the largest VmRSS read (80 % of it here); only the two components sizing is about.
    expect(local!.controlPlanePeakBytes).toEqual({ 'kube-apiserver': 1608 * Mi, etcd: 188 * Mi });
    expect(borrowed!.controlPlanePeakBytes).toEqual({});
    const md = renderSizingMarkdown(reportOf([local!, borrowed!]));
    expect(md).toContain('| etcd DB | peak kube-apiserver | peak etcd | GitHub req/min |');
    expect(md).toMatch(/\| 1\.57Gi \| 188Mi \| [\d.]+ \| passed \|/);
    expect(md).toMatch(/\| – \| – \| [\d.]+ \| passed \|/);
    expect(renderSizingMarkdown(reportOf([borrowed!]))).not.toContain('peak kube-apiserver');
    // A row of a sizing.json written before these columns renders beside a new one.
    const { controlPlanePeakBytes: _, ...older } = borrowed!;
    expect(renderSizingMarkdown(reportOf([local!, older]))).toMatch(/\| – \| – \| [\d.]+ \| passed \|/);
  });
});

function reportOf(rows: ReturnType<typeof sizingTable>): SizingReport {
  return { schemaVersion: SIZING_SCHEMA_VERSION, name: 'sizing', createdAt: '2026-12-01T00:00:00.000Z', base: 'inline', planned: rows.length, rows, recommendation: recommend(rows, 1.3, targets) };
}

describe('memory quantities', () => {
  it('rounds up to a step that grows with the size', () => {
    expect(roundUpMemory(183 * Mi)).toBe(192 * Mi);
    expect(roundUpMemory(192 * Mi)).toBe(192 * Mi);
    expect(roundUpMemory(300 * Mi)).toBe(320 * Mi);
    expect(roundUpMemory(1100 * Mi)).toBe(1280 * Mi);
    expect(roundUpMemory(5000 * Mi)).toBe(5120 * Mi);
    expect(() => roundUpMemory(0)).toThrow(/cannot size/);
  });

  it('prints exact Kubernetes quantities', () => {
    expect(formatMemoryQuantity(1024 ** 3)).toBe('1Gi');
    expect(formatMemoryQuantity(1280 * Mi)).toBe('1280Mi');
    expect(formatMemoryQuantity(5 * 1024)).toBe('5Ki');
    expect(formatMemoryQuantity(1000)).toBe('1000');
  });
});
