/**
 * Report building cost for a long run, against reading the same samples.ndjson in the same
 * process (the floor every report rebuild pays): how much summary, HTML, markdown and junit
 * add on top. Then lag percentiles through the HDR histogram against an exact sort.
 *
 * Env: FLUXBENCH_BENCH_HOURS (1: a run of that length sampled every 2 s), FLUXBENCH_BENCH_ROUNDS (3),
 * FLUXBENCH_BENCH_LAG_VALUES (1000000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sample } from '../src/metrics/sample.ts';
import { buildSummary, renderHtml, renderJunit, renderMarkdown, type RunMeta } from '../src/report/index.ts';
import { distribution, percentileSorted } from '../src/measurements/stats.ts';
import { formatBytes } from '../src/util/units.ts';
import { NdjsonWriter, readNdjson } from '../src/util/ndjson.ts';

const env = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const hours = env('FLUXBENCH_BENCH_HOURS', 1);
const rounds = Math.min(10, Math.round(env('FLUXBENCH_BENCH_ROUNDS', 3)));
const lagValues = Math.min(5_000_000, Math.round(env('FLUXBENCH_BENCH_LAG_VALUES', 1_000_000)));

const controllers = ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller'];
const start = Date.parse('2026-11-25T10:00:00Z');

function longRun(): Sample[] {
  const out: Sample[] = [];
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const end = start + hours * 3_600_000;
  for (let ts = start; ts < end; ts += 2_000) {
    for (const controller of controllers) {
      const labels = { controller };
      out.push({ ts, kind: 'controller', name: 'rss_bytes', value: 1e8 + rand() * 1e7, labels });
      out.push({ ts, kind: 'controller', name: 'cpu_cores', value: rand(), labels });
      out.push({ ts, kind: 'controller', name: 'workqueue_depth', value: Math.floor(rand() * 50), labels });
      out.push({ ts, kind: 'controller', name: 'reconcile_total', value: (ts - start) / 100, labels });
      out.push({ ts, kind: 'controller', name: 'reconcile_errors_total', value: Math.floor((ts - start) / 60_000), labels });
    }
    out.push({ ts, kind: 'objects', name: 'ready', value: 500, labels: { kind: 'Kustomization' } });
    out.push({ ts, kind: 'objects', name: 'total', value: 500, labels: { kind: 'Kustomization' } });
    out.push({ ts, kind: 'api', name: 'list_kustomizations_seconds', value: rand() / 10 });
    out.push({ ts, kind: 'github', name: 'quota_remaining', value: 5000 - ((ts - start) / 1000) % 5000, labels: { identity: 'token-a' } });
    for (let r = 0; r < 10; r++) {
      out.push({
        ts: ts + r * 200,
        kind: 'github',
        name: 'request',
        value: rand() / 50,
        labels: { identity: 'token-a', repo: `org/app-${r}`, route: 'git-upload-pack', method: 'POST', status: rand() < 0.02 ? '429' : '200' },
        detail: { bytesIn: 300, bytesOut: 40_000 },
      });
    }
    if ((ts - start) % 10_000 === 0) {
      for (let o = 0; o < 30; o++) {
        for (const stage of ['artifact', 'applied', 'ready']) {
          out.push({ ts, kind: 'lag', name: stage, value: rand() * 60, labels: { object: `Kustomization/apps/app-${o}`, repo: 'org/apps', commit: 'abc', stage } });
        }
      }
    }
  }
  out.push({ ts: start + 600_000, kind: 'fault', name: 'start', labels: { fault: 'latency', target: 'github' } });
  out.push({ ts: start + 900_000, kind: 'fault', name: 'end', labels: { fault: 'latency', target: 'github' } });
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time<T>(fn: () => T): { ms: number; result: T } {
  const t0 = performance.now();
  const result = fn();
  return { ms: performance.now() - t0, result };
}

const dir = mkdtempSync(join(tmpdir(), 'fluxbench-bench-report-'));
try {
  const path = join(dir, 'samples.ndjson');
  const writer = new NdjsonWriter<Sample>(path);
  const generated = longRun();
  for (const s of generated) writer.write(s);
  writer.close();
  const meta: RunMeta = {
    runId: 'bench',
    scenarioName: 'bench',
    scenarioPath: 'bench',
    startedAt: new Date(start).toISOString(),
    endedAt: new Date(start + hours * 3_600_000).toISOString(),
    status: 'passed',
    provider: 'local',
    versions: { flux: 'bench', kubernetes: 'bench' },
    thresholds: ['lag.applied.p95 < 60s', 'memory.*.max < 1Gi', 'github.status_429.count == 0'],
  };

  const read: number[] = [];
  const summary: number[] = [];
  const html: number[] = [];
  const text: number[] = [];
  let htmlBytes = 0;
  let samples: Sample[] = [];
  for (let round = 0; round < rounds; round++) {
    const r = time(() => readNdjson<Sample>(path));
    read.push(r.ms);
    samples = r.result;
    const s = time(() => buildSummary(samples, meta));
    summary.push(s.ms);
    const h = time(() => renderHtml(s.result, samples));
    html.push(h.ms);
    htmlBytes = h.result.length;
    text.push(time(() => renderMarkdown(s.result).length + renderJunit(s.result).length).ms);
  }
  const base = median(read);
  console.log(`report build for a ${hours}h run: ${samples.length} samples (${rounds} rounds, medians)`);
  console.log(`  baseline  read samples.ndjson     ${base.toFixed(0)} ms`);
  console.log(`  summary   buildSummary            ${median(summary).toFixed(0)} ms  (${(median(summary) / base).toFixed(2)}x the read)`);
  console.log(`  html      renderHtml              ${median(html).toFixed(0)} ms  (${(median(html) / base).toFixed(2)}x the read), ${formatBytes(htmlBytes)}`);
  console.log(`  text      markdown + junit        ${median(text).toFixed(1)} ms`);
  const total = median(summary) + median(html) + median(text);
  console.log(`  all reports on top of the read: ${(total / base).toFixed(2)}x`);

  let seed = 11;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const values = Array.from({ length: lagValues }, () => -Math.log(1 - rand()) * 20);
  const exact: number[] = [];
  const hdr: number[] = [];
  let maxError = 0;
  for (let round = 0; round < rounds; round++) {
    const e = time(() => {
      const sorted = [...values].sort((a, b) => a - b);
      return [50, 95, 99].map((p) => percentileSorted(sorted, p));
    });
    exact.push(e.ms);
    const h = time(() => distribution(values)!);
    hdr.push(h.ms);
    maxError = Math.max(maxError, ...[h.result.p50, h.result.p95, h.result.p99].map((v, i) => Math.abs(v - e.result[i]!) / e.result[i]!));
  }
  console.log(`lag percentiles over ${lagValues} values`);
  console.log(`  baseline  exact sort              ${median(exact).toFixed(0)} ms`);
  console.log(`  hdr       distribution()          ${median(hdr).toFixed(0)} ms  (${(median(hdr) / median(exact)).toFixed(2)}x the sort), max relative error ${(maxError * 100).toFixed(3)}%`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
