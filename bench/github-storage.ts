/**
 * bench:github, the storage cases: depth-1 clones of (1) a repository whose HEAD carries large
 * binary files and (2) a repository after thousands of churn pushes, through the fake GitHub
 * against `git http-backend` serving the very same bare repository (packed the same way), and the
 * effect of storage: the same clone from loose objects, or from thousands of unmaintained packs.
 *
 * Env: FLUXBENCH_BENCH_LARGE_FILES (14) × FLUXBENCH_BENCH_LARGE_FILE_MIB (32) = the large HEAD
 * (448 MiB, the artifact that OOM-killed source-controller in a public Flux report);
 * FLUXBENCH_BENCH_CHURN_PUSHES (2000); FLUXBENCH_BENCH_STORAGE_ROUNDS (3); 0 files or pushes
 * skips that case; FLUXBENCH_BENCH_CHURN_UNMAINTAINED=1 adds the churn case's before/after (the
 * same pushes into a repo the host never repacks: twice the churn time, so off by default).
 */
import { execFile } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { StartedFakeGitHub } from '../src/github/index.ts';
import { analyzeSamples } from '../src/measurements/index.ts';
import type { Sample } from '../src/metrics/sample.ts';
import { formatBytes } from '../src/util/units.ts';
import { churnTarget, commitChange, generateWorkload, pushNotification, type GeneratedWorkload } from '../src/workload/index.ts';

const execFileAsync = promisify(execFile);
const gitEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', LANG: 'C' };

function envCount(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number of 0 or more`);
  return value;
}

export const storageSettings = {
  largeFiles: envCount('FLUXBENCH_BENCH_LARGE_FILES', 14),
  largeFileMiB: envCount('FLUXBENCH_BENCH_LARGE_FILE_MIB', 32),
  churnPushes: envCount('FLUXBENCH_BENCH_CHURN_PUSHES', 2000),
  rounds: Math.max(1, envCount('FLUXBENCH_BENCH_STORAGE_ROUNDS', 3)),
  /** Also push as many churn commits into a repo the host never repacks, and clone both (doubles the churn time). */
  churnUnmaintained: envCount('FLUXBENCH_BENCH_CHURN_UNMAINTAINED', 0) > 0,
};

async function git(args: string[], cwd: string): Promise<string> {
  return (await execFileAsync('git', args, { cwd, env: gitEnv, maxBuffer: 64 * 1024 * 1024 })).stdout;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** One `git clone --depth 1`, timed; the clone is removed afterwards. */
async function cloneMs(url: string, scratch: string, tag: string): Promise<number> {
  const dir = join(scratch, `clone-${tag}-${Date.now()}`);
  const started = performance.now();
  await git(['clone', '-q', '--depth', '1', url, dir], scratch);
  const ms = performance.now() - started;
  await rm(dir, { recursive: true, force: true });
  return ms;
}

/** Best of `rounds` depth-1 clones on each side, alternating which goes first. */
async function compareClones(label: string, repoPath: string, hosts: { fake: string; cgi: string }, scratch: string): Promise<void> {
  const best = { fake: Infinity, cgi: Infinity };
  for (let round = 0; round < storageSettings.rounds; round++) {
    const order = round % 2 === 0 ? (['cgi', 'fake'] as const) : (['fake', 'cgi'] as const);
    for (const side of order) best[side] = Math.min(best[side], await cloneMs(`${hosts[side]}/${repoPath}`, scratch, side));
  }
  console.log(`${label}: git clone --depth 1, best of ${storageSettings.rounds}: fake GitHub ${seconds(best.fake)}, git http-backend ${seconds(best.cgi)}`);
  console.log(`${label}: ratio fake/http-backend ${(best.cgi / best.fake).toFixed(2)} (target >= 0.9)`);
}

/** A copy of a bare repository with every object loose (what git fast-import leaves below its unpack limit). */
async function looseCopy(source: string, target: string, scratch: string): Promise<void> {
  await git(['init', '-q', '--bare', '--initial-branch=main', target], scratch);
  const packs = (await readdir(join(source, 'objects', 'pack'))).filter((f) => f.endsWith('.pack'));
  for (const pack of packs) {
    await execFileAsync('sh', ['-c', 'git --git-dir "$1" unpack-objects -q < "$2"', 'sh', target, join(source, 'objects', 'pack', pack)], { env: gitEnv });
  }
  const head = (await git(['--git-dir', source, 'rev-parse', 'refs/heads/main'], scratch)).trim();
  await git(['--git-dir', target, 'update-ref', 'refs/heads/main', head], scratch);
}

/** What the fake GitHub's accounting says the fetches of one repo cost it. */
function hostLine(samples: readonly Sample[], repo: string): string {
  const stats = analyzeSamples(samples).github.repos?.[repo];
  if (!stats?.hostSeconds) return `${repo}: no fetch recorded`;
  const reused = stats.objects > 0 ? `${Math.round((stats.reusedObjects / stats.objects) * 100)}% of objects reused from packs` : 'no pack summary';
  const repacks = stats.maintenance ? `; ${stats.maintenance.runs} background repacks, ${stats.maintenance.cpuSeconds.toFixed(2)} s CPU` : '';
  return `${repo} on the host: ${stats.fetches} fetches, p50 ${stats.hostSeconds.p50.toFixed(2)} s, max ${stats.hostSeconds.max.toFixed(2)} s, CPU ${stats.cpuSeconds.toFixed(2)} s, ${reused}${repacks}`;
}

/** The large-file case: a HEAD of `largeFiles` × `largeFileMiB` incompressible files. */
export async function largeFileCase(gh: StartedFakeGitHub, cgiUrl: string, scratch: string, samples: readonly Sample[]): Promise<void> {
  const { largeFiles, largeFileMiB } = storageSettings;
  if (largeFiles === 0 || largeFileMiB === 0) return;
  const bytes = largeFiles * largeFileMiB * 2 ** 20;
  console.log(`\nlarge files: a monorepo of 4 apps whose HEAD carries ${largeFiles} × ${largeFileMiB} MiB = ${formatBytes(bytes)} (FLUXBENCH_BENCH_LARGE_FILES, FLUXBENCH_BENCH_LARGE_FILE_MIB)`);
  let started = performance.now();
  const workload = await generateWorkload(
    { owner: 'large', apps: 4, teams: 1, layout: 'monorepo', largeFiles: { count: largeFiles, bytes: largeFileMiB * 2 ** 20 } },
    { storageRoot: gh.storageRoot, gitBaseUrl: gh.url },
  );
  console.log(`generated packed with a bitmap in ${seconds(performance.now() - started)} (${formatBytes(workload.repos[0]!.bytes)} on disk)`);
  await compareClones('large files, packed + bitmap', 'large/fleet.git', { fake: gh.url, cgi: cgiUrl }, scratch);
  console.log(hostLine(samples, 'large/fleet'));

  started = performance.now();
  await looseCopy(gh.repoPath('large', 'fleet'), gh.repoPath('large', 'fleet-loose'), scratch);
  console.log(`loose copy written in ${seconds(performance.now() - started)}`);
  const loose = await cloneMs(`${gh.url}/large/fleet-loose.git`, scratch, 'loose');
  const packed = await cloneMs(`${gh.url}/large/fleet.git`, scratch, 'packed');
  console.log(`large files, before/after through the fake GitHub: loose objects ${seconds(loose)}, packed + bitmap ${seconds(packed)} (${(loose / packed).toFixed(1)}x faster)`);
  console.log(hostLine(samples, 'large/fleet-loose'));
}

/** `pushes` churn commits into the fleet repo of `workload`, announced to the fake GitHub or not. */
async function churn(workload: GeneratedWorkload, pushes: number, announce: StartedFakeGitHub | undefined): Promise<number> {
  const { repo, apps } = churnTarget(workload, workload.repos[0]!.fullName);
  const started = performance.now();
  for (let i = 0; i < pushes; i++) {
    const event = await commitChange({ repo, apps: [apps[i % apps.length]!], bytes: 512 });
    if (announce) {
      const { owner, repo: name, push } = pushNotification(event);
      await announce.notifyPush(owner, name, push);
    }
  }
  return performance.now() - started;
}

const packCount = async (dir: string) => (await readdir(join(dir, 'objects', 'pack'))).filter((f) => f.endsWith('.pack')).length;

/** The churn case: a repo after `churnPushes` pushes with background maintenance (and, when asked, one without). */
export async function churnCase(gh: StartedFakeGitHub, cgiUrl: string, scratch: string, samples: readonly Sample[]): Promise<void> {
  const pushes = storageSettings.churnPushes;
  if (pushes === 0) return;
  console.log(`\nchurn: a monorepo of 20 apps after ${pushes} churn pushes (FLUXBENCH_BENCH_CHURN_PUSHES)`);
  const options = { apps: 20, teams: 2, layout: 'monorepo' as const };
  const maintained = await generateWorkload({ ...options, owner: 'churn' }, { storageRoot: gh.storageRoot, gitBaseUrl: gh.url });
  const pushMs = await churn(maintained, pushes, gh);
  await gh.maintenanceIdle();
  console.log(`${pushes} pushes with background maintenance in ${seconds(pushMs)} (${((pushes / pushMs) * 1000).toFixed(0)}/s); ${await packCount(gh.repoPath('churn', 'fleet'))} packs left`);
  await compareClones(`after ${pushes} pushes, maintained`, 'churn/fleet.git', { fake: gh.url, cgi: cgiUrl }, scratch);
  console.log(hostLine(samples, 'churn/fleet'));
  if (!storageSettings.churnUnmaintained) return;
  const unmaintained = await generateWorkload({ ...options, owner: 'churn-nogc' }, { storageRoot: gh.storageRoot, gitBaseUrl: gh.url });
  await churn(unmaintained, pushes, undefined);
  const withoutMs = await cloneMs(`${gh.url}/churn-nogc/fleet.git`, scratch, 'nogc');
  const withMs = await cloneMs(`${gh.url}/churn/fleet.git`, scratch, 'gc');
  console.log(
    `after ${pushes} pushes, before/after through the fake GitHub: without maintenance (${await packCount(gh.repoPath('churn-nogc', 'fleet'))} packs) ${seconds(withoutMs)}, ` +
      `maintained ${seconds(withMs)} (${(withoutMs / withMs).toFixed(1)}x faster)`,
  );
}
