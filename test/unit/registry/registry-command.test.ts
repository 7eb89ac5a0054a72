import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryOptionsFromFlags } from '../../../src/cli/registry-command.ts';
import { processAlive, readRunRecords } from '../../../src/lifecycle/index.ts';
import { cacheRoot } from '../../../src/toolchain/index.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';
import { readNdjson } from '../../../src/util/ndjson.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { basic, getManifest, pushArtifact } from '../../support/oci-http.ts';
import { registryBinary, removeDir, tempDir, toolchainTimeoutMs } from './helpers.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');

describe('fluxbench registry serve', () => {
  let work: string;

  beforeAll(async () => {
    work = await tempDir();
    // Built (or found) before the command needs it, within this hook's time.
    await registryBinary();
    await writeFile(
      join(work, 'cli.mts'),
      `import { Command } from ${JSON.stringify(join(repoRoot, 'node_modules/commander/esm.mjs'))};\nimport { registerRegistryCommand } from ${JSON.stringify(join(repoRoot, 'src/cli/registry-command.ts'))};\nconst program = new Command('fluxbench');\nregisterRegistryCommand(program);\nawait program.parseAsync(process.argv);\n`,
    );
  }, toolchainTimeoutMs);

  afterAll(() => removeDir(work));

  it('reads a scenario registry block or bare options, flags winning, and names bad fields with the file', async () => {
    await writeFile(join(work, 'scenario.yaml'), 'registry:\n  rateLimits:\n    enabled: true\n    anonymous: 5\n  timeScale: 2\n');
    expect(await registryOptionsFromFlags({ config: join(work, 'scenario.yaml'), timeScale: '60', anonymousPull: false })).toEqual({
      rateLimits: { enabled: true, anonymous: 5 },
      timeScale: 60,
      anonymousPull: false,
    });
    await writeFile(join(work, 'bad.yaml'), 'rateLimits:\n  window: whenever\n');
    await expect(registryOptionsFromFlags({ config: join(work, 'bad.yaml'), anonymousPull: true })).rejects.toThrow(/bad\.yaml: registry\.rateLimits\.window/);
    await expect(registryOptionsFromFlags({ config: join(work, 'missing.yaml'), anonymousPull: true })).rejects.toThrow(UsageError);
    await expect(registryOptionsFromFlags({ timeScale: '0', anonymousPull: true })).rejects.toThrow(/--time-scale "0"/);
  });

  async function serve(args: string[]): Promise<{ child: ReturnType<typeof spawn>; ready: Record<string, string>; exited: Promise<number | null>; stderr: () => string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(work, 'cli.mts'), 'registry', 'serve', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    const firstLine = await new Promise<string>((res, rej) => {
      createInterface({ input: child.stdout! }).once('line', res);
      child.once('exit', () => rej(new Error(`serve exited early: ${stderr}`)));
    });
    return { child, ready: JSON.parse(firstLine) as Record<string, string>, exited, stderr: () => stderr };
  }

  it('starts, prints one JSON line, serves pushes and pulls, records its process for the reaper, and stops on SIGTERM', async () => {
    const samples = join(work, 'samples.ndjson');
    const storageDir = join(work, 'storage');
    const { child, ready: started, exited } = await serve(['--storage-dir', storageDir, '--samples', samples, '--no-anonymous-pull']);
    let registryPid: number | undefined;
    try {
      const ready = started as { url: string; host: string; username: string; password: string; adminUrl: string; adminSecret: string; storageDir: string };
      expect(Object.keys(ready)).toEqual(['url', 'host', 'username', 'password', 'adminUrl', 'adminSecret', 'storageDir']);
      expect(ready.url).toBe(`http://${ready.host}`);
      expect(ready.storageDir).toBe(storageDir);
      const user = { url: ready.url, authorization: basic(ready.username, ready.password) };
      expect((await pushArtifact(user, 'app', 'v1', Buffer.from('hello'))).status).toBe(201);
      expect((await getManifest(user, 'app', 'v1')).status).toBe(200);
      expect((await getManifest({ url: ready.url }, 'app', 'v1')).status).toBe(401);
      expect((await fetch(`${ready.adminUrl}/_fluxbench/health`, { headers: { authorization: `Bearer ${ready.adminSecret}` } })).status).toBe(200);
      const record = readRunRecords(cacheRoot()).find((r) => r.record.ownerPid === child.pid);
      expect(record?.record.processGroups).toHaveLength(1);
      registryPid = record!.record.processGroups[0]!.pid;
      expect(processAlive(registryPid)).toBe(true);
      expect(record!.record.runId).toMatch(/^registry-fb-/);
      const written = readNdjson<Sample>(samples);
      expect(written.some((s) => s.kind === 'registry' && s.labels?.route === 'manifest' && s.labels.status === '200')).toBe(true);
      expect(JSON.stringify(written)).not.toContain(ready.password);
      expect(await readFile(`${storageDir}.htpasswd`, 'utf8')).not.toContain(ready.password);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(registryPid !== undefined && processAlive(registryPid)).toBe(false);
    expect(readRunRecords(cacheRoot()).some((r) => r.record.ownerPid === child.pid)).toBe(false);
    expect(existsSync(join(storageDir, 'docker'))).toBe(true);
  });

  it('has its registry stopped by the watchdog when the command itself is SIGKILLed', async () => {
    const { child, exited } = await serve(['--storage-dir', join(work, 'killed')]);
    const record = readRunRecords(cacheRoot()).find((r) => r.record.ownerPid === child.pid);
    const pid = record!.record.processGroups[0]!.pid;
    expect(processAlive(pid)).toBe(true);
    child.kill('SIGKILL');
    await exited;
    const deadline = Date.now() + 15_000;
    // The watchdog reaps, then removes the record.
    while ((processAlive(pid) || existsSync(record!.path)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(processAlive(pid)).toBe(false);
    expect(existsSync(record!.path)).toBe(false);
  });
});
