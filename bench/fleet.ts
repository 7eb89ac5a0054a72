/**
 * What a fleet costs on this machine: for each spoke count (`--spokes 5,20,50`), one hub-and-spoke
 * run on the local cluster (scenario below), then
 *
 * - per spoke: the resident memory of its processes (etcd, kube-apiserver, kube-controller-manager,
 *   summed; the mean over spokes of each spoke's mean) and their CPU, at idle and under churn;
 * - the hub: kustomize-controller's and source-controller's resident memory (peak) and CPU (mean)
 *   at idle and under churn;
 * - lag: push → applied on the spokes under churn, p95 over all spokes and the worst spoke's p95;
 * - against the smallest count of the same invocation (the baseline, measured in the same run of
 *   this command): the hub's memory and CPU per added spoke, and the lag ratio;
 * - the most spokes this machine holds: its MemTotal less the hub's footprint and 2 GiB of headroom,
 *   over one spoke's memory; and the CPU bound, two cores less the hub's churn CPU, over one
 *   spoke's churn CPU. The largest count whose run got every object Ready (and so reached its
 *   measure phase) is the most with lag measured; a count beyond it gets a line saying how many
 *   objects were Ready when its settle timeout ran out, and what its spokes cost meanwhile.
 *
 * The scenario: `fleet.spokes` N (intervals 15m infrastructure, 2m apps, the seed's), one team
 * repository of `--apps` apps (Deployments scaled to zero, wait: true) applied to every spoke,
 * kustomize-controller --concurrent `--concurrent`; the measure phase is `--idle` without commits,
 * then `--churn` with a commit every 1/`--rate` seconds (each commit reaches every spoke's apps).
 * Windows leave out their first sampling interval so a rate straddling the switch is not counted.
 * Runs go one after the other (the machine has 2 cores), each bounded by its settle timeout and
 * duration; every spoke is deleted by the run's teardown.
 *
 * Usage: npm run bench:fleet [-- --spokes 5,20,50 --apps 2 --idle 60s --churn 2m --rate 0.1 --concurrent 10]
 */
import { createReadStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { mean, quantile } from 'simple-statistics';
import type { Sample } from '../src/metrics/sample.ts';
import { runScenario } from '../src/run/index.ts';
import { defineScenario } from '../src/scenario/index.ts';
import { parseDuration } from '../src/util/units.ts';

const { values } = parseArgs({
  options: {
    spokes: { type: 'string', default: '5,20,50' },
    apps: { type: 'string', default: '2' },
    idle: { type: 'string', default: '60s' },
    churn: { type: 'string', default: '2m' },
    rate: { type: 'string', default: '0.1' },
    concurrent: { type: 'string', default: '10' },
  },
});
const counts = values.spokes.split(',').map((s) => Number(s.trim()));
for (const n of counts) if (!Number.isInteger(n) || n < 1 || n > 100) throw new Error(`--spokes ${n}: expected whole numbers 1-100`);
const apps = Number(values.apps);
if (!Number.isInteger(apps) || apps < 1 || apps > 50) throw new Error(`--apps ${values.apps}: expected a whole number 1-50`);
const rate = Number(values.rate);
if (!(rate > 0 && rate <= 1)) throw new Error(`--rate ${values.rate}: expected commits per second in (0, 1]`);
const concurrent = Number(values.concurrent);
if (!Number.isInteger(concurrent) || concurrent < 1 || concurrent > 100) throw new Error(`--concurrent ${values.concurrent}: expected a whole number 1-100`);
const idleMs = parseDuration(values.idle);
const churnMs = parseDuration(values.churn);
const samplingMs = 5_000;
const MiB = 2 ** 20;

function scenarioFor(spokes: number) {
  return defineScenario({
    name: `bench-fleet-${spokes}`,
    provider: { type: 'local' },
    controllers: { source: { concurrent: 2 }, kustomize: { concurrent } },
    fleet: { spokes, intervals: { infrastructure: '15m', apps: '2m' } },
    workload: {
      layout: 'repo-per-team',
      teams: 1,
      apps,
      app: { replicas: 0 },
      flux: { auth: 'basic', sourceInterval: '10s', wait: true, timeout: '1m' },
    },
    timeline: [{ at: `${idleMs / 1000}s`, action: 'churn.start', rate }],
    duration: `${(idleMs + churnMs) / 1000}s`,
    sampling: { interval: `${samplingMs / 1000}s` },
    settle: { timeout: '15m', until: 'ready' },
  });
}

/** One line of samples.ndjson. */
type Line = Sample;

/** The samples a fleet figure needs, streamed from the run's samples.ndjson (it can be large). */
async function readSamples(runDir: string): Promise<Line[]> {
  const wanted = /"kind":"(phase|fault|fleet|controller|lag|ready)"/;
  const out: Line[] = [];
  const lines = createInterface({ input: createReadStream(join(runDir, 'samples.ndjson')), crlfDelay: Infinity });
  for await (const line of lines) if (wanted.test(line)) out.push(JSON.parse(line) as Line);
  return out;
}

interface Window {
  from: number;
  to: number;
}

const within = (w: Window) => (s: Line) => s.ts >= w.from && s.ts < w.to;
const avg = (xs: number[]) => (xs.length > 0 ? mean(xs) : undefined);

/** Per spoke, the mean of its readings in the window; then the mean over spokes. */
function perSpoke(samples: Line[], name: 'rss_bytes' | 'cpu_cores', w: Window): number | undefined {
  const bySpoke = new Map<string, number[]>();
  for (const s of samples.filter((x) => x.kind === 'fleet' && x.name === name && within(w)(x) && typeof x.value === 'number')) {
    const list = bySpoke.get(s.labels!.spoke!) ?? [];
    list.push(s.value!);
    bySpoke.set(s.labels!.spoke!, list);
  }
  return avg([...bySpoke.values()].map((xs) => mean(xs)));
}

/** A spoke's memory by component (MiB, mean over spokes and readings in the window). */
function components(samples: Line[], w: Window): Record<string, number> {
  const sums: Record<string, number[]> = {};
  for (const s of samples.filter((x) => x.kind === 'fleet' && x.name === 'rss_bytes' && within(w)(x))) {
    for (const [component, bytes] of Object.entries((s.detail?.components ?? {}) as Record<string, number>)) (sums[component] ??= []).push(bytes / MiB);
  }
  return Object.fromEntries(Object.entries(sums).map(([c, xs]) => [c, mean(xs)]));
}

function hub(samples: Line[], controller: string, name: 'rss_bytes' | 'cpu_cores', w: Window, how: 'max' | 'mean'): number | undefined {
  const xs = samples.filter((x) => x.kind === 'controller' && x.name === name && x.labels?.controller === controller && within(w)(x) && typeof x.value === 'number').map((x) => x.value!);
  if (xs.length === 0) return undefined;
  return how === 'max' ? Math.max(...xs) : mean(xs);
}

interface Figures {
  spokes: number;
  /** The run's status (passed, failed, timeout, error); lag is measured only when it reached its measure phase. */
  status: string;
  lagMeasured: boolean;
  /** Objects Ready at least once, of those seen, by the end of the run. */
  readyOf: { ready: number; seen: number };
  spokesUpSeconds: number | undefined;
  readyAfter: number | undefined;
  spokeRssIdle: number | undefined;
  spokeRssChurn: number | undefined;
  spokeCpuIdle: number | undefined;
  spokeCpuChurn: number | undefined;
  components: Record<string, number>;
  kustomizeRss: number | undefined;
  kustomizeCpuIdle: number | undefined;
  kustomizeCpuChurn: number | undefined;
  sourceRss: number | undefined;
  lagP95: number | undefined;
  worstSpokeLagP95: number | undefined;
  applied: number;
  unreachable: number;
  memAvailableMiB: number;
  runDir: string;
}

function memInfo(field: 'MemTotal' | 'MemAvailable'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/meminfo', 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

/** The lowest MemAvailable seen while the run's measure phase goes on, MiB (read every 5 s). */
function watchMemory(): { lowest: () => number; stop: () => void } {
  let lowest = memInfo('MemAvailable');
  const timer = setInterval(() => (lowest = Math.min(lowest, memInfo('MemAvailable'))), 5_000);
  return { lowest: () => lowest, stop: () => clearInterval(timer) };
}

async function measure(spokes: number): Promise<Figures> {
  const reports = mkdtempSync(join(tmpdir(), 'fb-bench-fleet-'));
  const memory = watchMemory();
  const result = await runScenario(scenarioFor(spokes), { scenarioPath: '<bench:fleet>', reportsDir: reports, quiet: true, log: () => {} });
  memory.stop();
  const samples = await readSamples(result.runDir);
  const phaseAt = (name: string) => samples.find((s) => s.kind === 'phase' && s.name === name)?.ts;
  const measureAt = phaseAt('measure');
  const churnAt = samples.find((s) => s.kind === 'fault' && s.name === 'start' && s.detail?.action === 'churn.start')?.ts;
  const verdictAt = phaseAt('verdict');
  const lagMeasured = measureAt !== undefined && churnAt !== undefined && verdictAt !== undefined;
  // A run that never got everything Ready (the machine overrun) has no idle and churn windows:
  // its spokes' cost is read over the whole run, and it has no lag.
  const whole: Window = { from: 0, to: Infinity };
  const idle: Window = lagMeasured ? { from: measureAt + samplingMs, to: churnAt } : whole;
  const churn: Window = lagMeasured ? { from: churnAt + samplingMs, to: verdictAt } : { from: Infinity, to: Infinity };
  const hubWindow: Window = lagMeasured ? { from: measureAt, to: verdictAt } : whole;
  const lagApplied = samples.filter((s) => s.kind === 'lag' && s.name === 'applied' && within(churn)(s) && typeof s.value === 'number' && /^Kustomization\/spoke-/.test(s.labels?.object ?? ''));
  const bySpoke = new Map<string, number[]>();
  for (const s of lagApplied) {
    const spoke = s.labels!.object!.split('/')[1]!;
    bySpoke.set(spoke, [...(bySpoke.get(spoke) ?? []), s.value!]);
  }
  const metrics = result.summary?.metrics ?? {};
  const spokesAt = phaseAt('spokes');
  const afterSpokes = samples.find((s) => s.kind === 'phase' && spokesAt !== undefined && s.ts > spokesAt)?.ts;
  const readyOf = { ready: samples.filter((s) => s.kind === 'ready' && s.name === 'ready').length, seen: samples.filter((s) => s.kind === 'ready' && s.name === 'seen').length };
  return {
    spokes,
    status: result.summary?.run.status ?? 'unknown',
    lagMeasured,
    readyOf,
    spokesUpSeconds: spokesAt !== undefined && afterSpokes !== undefined ? (afterSpokes - spokesAt) / 1000 : undefined,
    readyAfter: metrics['ready.all_after'],
    spokeRssIdle: perSpoke(samples, 'rss_bytes', idle),
    spokeRssChurn: perSpoke(samples, 'rss_bytes', churn),
    spokeCpuIdle: perSpoke(samples, 'cpu_cores', idle),
    spokeCpuChurn: perSpoke(samples, 'cpu_cores', churn),
    components: components(samples, idle),
    kustomizeRss: hub(samples, 'kustomize-controller', 'rss_bytes', hubWindow, 'max'),
    kustomizeCpuIdle: hub(samples, 'kustomize-controller', 'cpu_cores', idle, 'mean'),
    kustomizeCpuChurn: hub(samples, 'kustomize-controller', 'cpu_cores', churn, 'mean'),
    sourceRss: hub(samples, 'source-controller', 'rss_bytes', hubWindow, 'max'),
    lagP95: lagApplied.length > 0 ? quantile(lagApplied.map((s) => s.value!), 0.95) : undefined,
    worstSpokeLagP95: bySpoke.size > 0 ? Math.max(...[...bySpoke.values()].map((xs) => quantile(xs, 0.95))) : undefined,
    applied: lagApplied.length,
    unreachable: metrics['fleet.unreachable_spokes'] ?? 0,
    memAvailableMiB: memory.lowest(),
    runDir: result.runDir,
  };
}

const mib = (bytes: number | undefined) => (bytes === undefined ? '—' : `${(bytes / MiB).toFixed(0)} MiB`);
const cores = (c: number | undefined) => (c === undefined ? '—' : c.toFixed(3));
const secs = (s: number | undefined) => (s === undefined ? '—' : `${s.toFixed(1)} s`);
const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? `${(a / b).toFixed(2)}x` : '—');

function print(f: Figures): void {
  if (!f.lagMeasured) {
    console.log(
      [
        `${String(f.spokes).padStart(3)} spokes × ${apps} apps`,
        `run ${f.status}: ${f.readyOf.ready} of ${f.readyOf.seen} objects Ready by its settle timeout, so no measure phase and no lag`,
        `spokes up ${secs(f.spokesUpSeconds)}${f.spokesUpSeconds !== undefined ? ` (${(f.spokesUpSeconds / f.spokes).toFixed(1)} s each)` : ''}`,
        `one spoke over the run: ${mib(f.spokeRssIdle)}, CPU ${cores(f.spokeCpuIdle)}; hub kustomize-controller peak ${mib(f.kustomizeRss)}`,
        `lowest MemAvailable ${(f.memAvailableMiB / 1024).toFixed(1)} GiB`,
        `run ${f.runDir}`,
      ].join(' | '),
    );
    return;
  }
  console.log(
    [
      `${String(f.spokes).padStart(3)} spokes × ${apps} apps`,
      `spokes up ${secs(f.spokesUpSeconds)}${f.spokesUpSeconds !== undefined ? ` (${(f.spokesUpSeconds / f.spokes).toFixed(1)} s each)` : ''}, all Ready ${secs(f.readyAfter)} after the apply`,
      `one spoke: ${mib(f.spokeRssIdle)} idle (${Object.entries(f.components)
        .map(([c, m]) => `${c} ${m.toFixed(0)}`)
        .join(', ')} MiB), ${mib(f.spokeRssChurn)} churn; CPU ${cores(f.spokeCpuIdle)} idle, ${cores(f.spokeCpuChurn)} churn`,
      `hub kustomize-controller peak ${mib(f.kustomizeRss)}, CPU ${cores(f.kustomizeCpuIdle)} idle, ${cores(f.kustomizeCpuChurn)} churn; source-controller peak ${mib(f.sourceRss)}`,
      `applied lag under churn p95 ${secs(f.lagP95)} over ${f.applied} applies, worst spoke p95 ${secs(f.worstSpokeLagP95)}; unreachable spokes ${f.unreachable}`,
      `lowest MemAvailable ${(f.memAvailableMiB / 1024).toFixed(1)} GiB`,
      `run ${f.runDir}`,
    ].join(' | '),
  );
}

/** Against the smallest count: what each added spoke costs the hub, and how lag grew. */
function compare(base: Figures, f: Figures): void {
  const added = f.spokes - base.spokes;
  const per = (a: number | undefined, b: number | undefined, scale: number, unit: string, digits: number) =>
    a !== undefined && b !== undefined ? `${((a - b) / added / scale).toFixed(digits)} ${unit}` : '—';
  console.log(
    [
      `${String(f.spokes).padStart(3)} vs ${base.spokes} spokes`,
      `hub kustomize-controller +${per(f.kustomizeRss, base.kustomizeRss, MiB, 'MiB', 1)} and +${per(f.kustomizeCpuChurn, base.kustomizeCpuChurn, 1, 'cores', 4)} under churn per added spoke (memory ${ratio(f.kustomizeRss, base.kustomizeRss)}, churn CPU ${ratio(f.kustomizeCpuChurn, base.kustomizeCpuChurn)})`,
      `applied lag p95 ${ratio(f.lagP95, base.lagP95)}, worst spoke ${ratio(f.worstSpokeLagP95, base.worstSpokeLagP95)}`,
      `one spoke's memory ${ratio(f.spokeRssIdle, base.spokeRssIdle)}`,
    ].join(' | '),
  );
}

/** The most spokes this machine would hold, by memory and by CPU, from the largest run's figures. */
function capacity(f: Figures): void {
  const totalMiB = memInfo('MemTotal');
  const coresHere = 2;
  const hubMiB = (f.kustomizeRss ?? 0) / MiB + (f.sourceRss ?? 0) / MiB + 1024; // + the hub cluster and the runner, about 1 GiB
  const byMemory = f.spokeRssChurn ? Math.floor((totalMiB - hubMiB - 2048) / (f.spokeRssChurn / MiB)) : undefined;
  const byCpu = f.spokeCpuChurn ? Math.floor((coresHere - (f.kustomizeCpuChurn ?? 0)) / f.spokeCpuChurn) : undefined;
  console.log(
    `capacity | MemTotal ${(totalMiB / 1024).toFixed(1)} GiB: about ${byMemory ?? '—'} spokes by memory (one spoke ${mib(f.spokeRssChurn)} under churn, hub ~${(hubMiB / 1024).toFixed(1)} GiB, 2 GiB headroom); about ${byCpu ?? '—'} by CPU (${coresHere} cores less the hub's ${cores(f.kustomizeCpuChurn)}, one spoke ${cores(f.spokeCpuChurn)} under churn) | most with lag measured here: ${f.spokes} (p95 ${secs(f.lagP95)}; target ≥ 50)`,
  );
}

const figures: Figures[] = [];
for (const n of counts) {
  const f = await measure(n);
  print(f);
  figures.push(f);
}
const measured = figures.filter((f) => f.lagMeasured);
if (measured.length === 0) {
  console.log('capacity | no run reached its measure phase: no lag measured at any count');
} else {
  const base = measured.reduce((a, b) => (b.spokes < a.spokes ? b : a));
  for (const f of measured) if (f !== base) compare(base, f);
  capacity(measured.reduce((a, b) => (b.spokes > a.spokes ? b : a)));
  for (const f of figures.filter((x) => !x.lagMeasured)) console.log(`capacity | ${f.spokes} spokes did not get Ready here (${f.readyOf.ready} of ${f.readyOf.seen} objects): beyond what this machine holds with lag measured`);
}
