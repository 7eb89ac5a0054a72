import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type StartedFakeGitHub } from '../../../src/github/index.ts';
import { analyzeSamples, flatMetrics, measurementSections } from '../../../src/measurements/index.ts';
import { churnTarget, commitChange, generateWorkload, pushNotification, type GeneratedWorkload } from '../../../src/workload/index.ts';
import { gitOk, MemorySink, removeDir, tempDir } from './helpers.ts';

/** `git count-objects -v` as numbers (count = loose objects). */
async function countObjects(gitDir: string): Promise<Record<string, number>> {
  const out = await gitOk(['--git-dir', gitDir, 'count-objects', '-v'], gitDir);
  return Object.fromEntries(out.trim().split('\n').map((line) => [line.split(':')[0]!, Number(line.split(':')[1])]));
}

/** Processes whose command line mentions `text` (git children of the fake GitHub name the repo dir). */
async function processesMentioning(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text) && Number(pid) !== process.pid) found.push(`${pid}: ${cmdline.replaceAll('\0', ' ')}`);
  }
  return found;
}

describe('repositories stored and maintained as GitHub does', () => {
  let work: string;
  let sink: MemorySink;
  let gh: StartedFakeGitHub;
  let workload: GeneratedWorkload;

  beforeAll(async () => {
    work = await tempDir('fb-gh-storage-');
    sink = new MemorySink();
    gh = await startFakeGitHub({ storageRoot: join(work, 'storage') }, { sink, maintenance: { delayMs: 200 } });
    workload = await generateWorkload({ apps: 4, teams: 2, largeFiles: { count: 2, bytes: 256 * 1024 } }, { storageRoot: gh.storageRoot, gitBaseUrl: gh.url });
  });

  afterAll(async () => {
    await gh?.stop();
    await removeDir(work);
  });

  it('writes generated repositories as one pack with a reachability bitmap, no loose objects', async () => {
    // Fewer than fast-import's default unpack limit (100 objects): git alone would leave them loose.
    const fleet = workload.repos.find((r) => r.fullName === 'fluxbench/fleet')!;
    const counts = await countObjects(fleet.path);
    expect(counts.count).toBe(0);
    expect(counts.packs).toBe(1);
    const packDir = await readdir(join(fleet.path, 'objects', 'pack'));
    expect(packDir.filter((f) => f.endsWith('.bitmap'))).toHaveLength(1);
    expect(await gitOk(['--git-dir', fleet.path, 'config', 'transfer.unpackLimit'], work)).toBe('1\n');
  });

  it('keeps churn commits packed and repacks them in the background, recording the repack CPU', async () => {
    const { repo, apps } = churnTarget(workload, 'fluxbench/fleet');
    for (let i = 0; i < 12; i++) {
      const event = await commitChange({ repo, apps: [apps[i % apps.length]!], bytes: 2000 });
      const { owner, repo: name, push } = pushNotification(event);
      await gh.notifyPush(owner, name, push);
    }
    await gh.maintenanceIdle();
    const counts = await countObjects(repo.path);
    expect(counts.count).toBe(0);
    // 13 packs before (the generated one and one per churn commit) are rolled up geometrically:
    // what is left is a few packs of at least doubling size, all under one multi-pack bitmap.
    expect(counts.packs).toBeLessThanOrEqual(Math.ceil(Math.log2(13)) + 1);
    expect((await readdir(join(repo.path, 'objects', 'pack'))).some((f) => f.startsWith('multi-pack-index-') && f.endsWith('.bitmap'))).toBe(true);
    const repacks = sink.samples.filter((s) => s.kind === 'github' && s.name === 'maintenance');
    // Pushes that arrive while a repack is due join it: twelve quick pushes do not make twelve repacks.
    expect(repacks.length).toBeGreaterThanOrEqual(1);
    expect(repacks.length).toBeLessThan(12);
    expect(repacks[0]).toMatchObject({ labels: { repo: 'fluxbench/fleet' }, detail: { exitCode: 0 } });
    expect(typeof repacks[0]!.value).toBe('number');
    expect(repacks[0]!.detail).toMatchObject({ packsBefore: expect.any(Number), packsAfter: expect.any(Number), wallSeconds: expect.any(Number) });
    const analysis = analyzeSamples(sink.samples);
    expect(analysis.github.repos?.['fluxbench/fleet']?.maintenance?.runs).toBe(repacks.length);
    expect(flatMetrics(analysis)['github.maintenance.count']).toBe(repacks.length);
  });

  it('records what each fetch cost the host in the request sample, the summary metrics and the report', async () => {
    const before = sink.samples.length;
    await gitOk(['clone', '-q', '--depth', '1', `${gh.url}/fluxbench/fleet.git`, join(work, 'shallow')], work);
    await gitOk(['clone', '-q', '--bare', `${gh.url}/fluxbench/fleet.git`, join(work, 'full')], work);
    await expect.poll(() => sink.samples.slice(before).filter((s) => s.labels?.route === 'git.upload-pack' && s.detail?.pack).length).toBe(2);
    const [shallow, full] = sink.samples.slice(before).filter((s) => s.labels?.route === 'git.upload-pack' && s.detail?.pack);
    for (const fetch of [shallow!, full!]) {
      expect(fetch.detail!.hostSeconds).toBeGreaterThan(0);
      expect(fetch.detail!.hostSeconds as number).toBeLessThanOrEqual(fetch.value!);
      expect(typeof fetch.detail!.hostCpuSeconds).toBe('number');
      expect(fetch.detail!.bytesOut).toBeGreaterThan(2 * 256 * 1024);
    }
    // A shallow clone packs objects one by one, copied from the pack; a full clone reuses the bitmapped pack whole.
    expect(shallow!.detail!.pack).toMatchObject({ reused: expect.any(Number), packReused: 0 });
    expect((shallow!.detail!.pack as { reused: number }).reused).toBeGreaterThan(0);
    expect((full!.detail!.pack as { packReused: number }).packReused).toBeGreaterThan(0);

    const analysis = analyzeSamples(sink.samples);
    const metrics = flatMetrics(analysis);
    expect(metrics['github.fetch_seconds.max']).toBeGreaterThanOrEqual(metrics['github.fetch_seconds.p50']!);
    expect(metrics['github.fetch_seconds.p95']).toBeGreaterThan(0);
    expect(metrics['github.fetch_bytes.max']).toBe(Math.max(shallow!.detail!.bytesOut as number, full!.detail!.bytesOut as number));
    expect(metrics['github.clone_timeouts.count']).toBe(0);
    const fleet = analysis.github.repos!['fluxbench/fleet']!;
    expect(fleet.fetches).toBe(2);
    expect(fleet.hostSeconds?.count).toBe(2);
    const section = measurementSections().find((s) => s.id === 'github-fetches')!;
    const table = section.table(analysis);
    const row = table.rows.find((r) => r[0] === 'fluxbench/fleet')!;
    expect(row[table.header.indexOf('Fetches')]).toBe('2');
    expect(row[table.header.indexOf('Repacks (CPU)')]).toMatch(/^\d+ \(/);
  });
});

describe('background maintenance and stop()', () => {
  it('rolls loose objects up too (a repository written without the host settings, by a local push)', async () => {
    const work = await tempDir('fb-gh-loose-');
    const sink = new MemorySink();
    const gh = await startFakeGitHub({ storageRoot: join(work, 'storage') }, { sink, maintenance: { delayMs: 0 } });
    try {
      const dir = join(gh.storageRoot, 'acme', 'legacy.git');
      await gitOk(['init', '-q', '--bare', '--initial-branch=main', dir], work);
      const src = join(work, 'src');
      await gitOk(['init', '-q', '-b', 'main', src], work);
      for (let i = 0; i < 5; i++) {
        await writeFile(join(src, `f${i}.txt`), `file ${i}\n`);
        await gitOk(['add', '.'], src);
        await gitOk(['-c', 'user.name=a', '-c', 'user.email=a@e', 'commit', '-q', '-m', `c${i}`], src);
      }
      await gitOk(['push', '-q', dir, 'main'], src);
      expect((await countObjects(dir)).count).toBeGreaterThan(10);
      const head = (await gitOk(['--git-dir', dir, 'rev-parse', 'main'], work)).trim();
      await gh.notifyPush('acme', 'legacy', { ref: 'refs/heads/main', before: '0'.repeat(40), after: head });
      await gh.maintenanceIdle();
      expect(await countObjects(dir)).toMatchObject({ count: 0, packs: 1 });
      expect(sink.samples.filter((s) => s.name === 'maintenance').map((s) => s.labels)).toEqual([{ repo: 'acme/legacy' }]);
    } finally {
      await gh.stop();
      await removeDir(work);
    }
  });

  it('kills a running repack, with its pack-objects, when the fake GitHub stops', async () => {
    const work = await tempDir('fb-gh-stop-');
    const sink = new MemorySink();
    const gh = await startFakeGitHub({ storageRoot: join(work, 'storage') }, { sink, maintenance: { delayMs: 0 } });
    try {
      await gh.createRepo('acme', 'big');
      const dir = gh.repoPath('acme', 'big');
      // Loose, incompressible objects: repacking them means compressing every byte, which takes a while.
      for (let i = 0; i < 4; i++) {
        const file = join(work, `blob-${i}`);
        await writeFile(file, randomBytes(16 * 1024 * 1024));
        await gitOk(['--git-dir', dir, 'hash-object', '-w', file], work);
      }
      await gh.notifyPush('acme', 'big', { ref: 'refs/heads/main', before: '0'.repeat(40), after: '1'.repeat(40) });
      const deadline = Date.now() + 20_000;
      while ((await processesMentioning(dir)).length === 0 && Date.now() < deadline) await sleep(20);
      expect(await processesMentioning(dir)).not.toEqual([]);
      await gh.stop();
      await expect.poll(() => processesMentioning(dir), { timeout: 5_000 }).toEqual([]);
      const repack = sink.samples.find((s) => s.name === 'maintenance');
      expect(repack?.detail).toMatchObject({ error: 'stopped with the fake GitHub' });
      expect(existsSync(dir)).toBe(true);
    } finally {
      await gh.stop();
      await removeDir(work);
    }
  });
});
