import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { writeRecordingCli } from '../../support/recording-cli.ts';
import { processAlive, readRunRecords, reapOrphanedRuns, RunRegistry, startWatchdog } from '../../../src/lifecycle/index.ts';

function detachedSleeper(): number {
  const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid!;
}

async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}

describe('run registry and reaping', () => {
  it('deletes the kind cluster of a run whose owner died', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'fb-reap-kind-'));
    const kind = writeRecordingCli(cache, 'kind', [{ args: ['delete', 'cluster'] }]);
    const registry = new RunRegistry(cache, 'dead-kind-run');
    registry.addKindCluster({ name: 'dead-kind-run', kind: kind.path, kubeconfig: '/runs/dead-kind-run/kubeconfig' });
    const { writeFileSync, readFileSync } = await import('node:fs');
    const gone = spawn('true');
    await new Promise((r) => gone.once('exit', r));
    const record = JSON.parse(readFileSync(registry.path, 'utf8'));
    record.ownerPid = gone.pid;
    writeFileSync(registry.path, JSON.stringify(record));
    expect(await reapOrphanedRuns(cache)).toEqual(['dead-kind-run: deleted kind cluster dead-kind-run']);
    expect(kind.calls()).toEqual([['delete', 'cluster', '--name', 'dead-kind-run', '--kubeconfig', '/runs/dead-kind-run/kubeconfig']]);
    expect(readRunRecords(cache)).toEqual([]);
  });

  it('removes the RAM-backed temp folders of a run whose owner died, and nothing a run did not make', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'fb-reap-tmpfs-'));
    const made = join(cache, 'fluxbench-dead-tmpfs-run');
    const foreign = join(cache, 'somebody-else');
    const { mkdirSync, writeFileSync, readFileSync } = await import('node:fs');
    mkdirSync(join(made, 'kustomize-controller'), { recursive: true });
    writeFileSync(join(made, 'kustomize-controller', 'build'), 'x');
    mkdirSync(foreign);
    const registry = new RunRegistry(cache, 'dead-tmpfs-run');
    registry.addTempDir(made);
    registry.addTempDir(foreign);
    const gone = spawn('true');
    await new Promise((r) => gone.once('exit', r));
    const record = JSON.parse(readFileSync(registry.path, 'utf8'));
    record.ownerPid = gone.pid;
    writeFileSync(registry.path, JSON.stringify(record));
    expect(await reapOrphanedRuns(cache)).toEqual([`dead-tmpfs-run: removed ${made}`]);
    expect(existsSync(made)).toBe(false);
    expect(existsSync(foreign)).toBe(true);
  });

  it('reaps the processes of a run whose owner died, and leaves live runs alone', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'fb-reap-'));
    const orphan = detachedSleeper();
    const registry = new RunRegistry(cache, 'dead-run');
    registry.addProcessGroup(orphan, 'sleeper');
    // Pretend the owner is a process that has exited.
    const gone = spawn('true');
    await new Promise((r) => gone.once('exit', r));
    const { writeFileSync, readFileSync } = await import('node:fs');
    const record = JSON.parse(readFileSync(registry.path, 'utf8'));
    record.ownerPid = gone.pid;
    writeFileSync(registry.path, JSON.stringify(record));

    const liveChild = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    const liveOwner = spawn('sleep', ['300'], { stdio: 'ignore' });
    const live = new RunRegistry(cache, 'live-run');
    live.addProcessGroup(liveChild.pid!, 'kept');
    const liveRecord = JSON.parse(readFileSync(live.path, 'utf8'));
    liveRecord.ownerPid = liveOwner.pid;
    writeFileSync(live.path, JSON.stringify(liveRecord));

    const actions = await reapOrphanedRuns(cache);
    expect(actions).toEqual([`dead-run: stopped sleeper (pid ${orphan})`]);
    await until(() => !processAlive(orphan), 5_000);
    expect(processAlive(liveChild.pid!)).toBe(true);
    expect(readRunRecords(cache).map((r) => r.record.runId)).toEqual(['live-run']);
    liveChild.kill('SIGKILL');
    liveOwner.kill('SIGKILL');
  });

  it("the watchdog stops a run's processes when the runner is SIGKILLed", async () => {
    const cache = mkdtempSync(join(tmpdir(), 'fb-watchdog-'));
    // A stand-in runner: a node process that registers a child and starts the watchdog, then hangs.
    const script = `
      import { spawn } from 'node:child_process';
      import { RunRegistry, startWatchdog } from '${join(process.cwd(), 'src/lifecycle/index.ts')}';
      const registry = new RunRegistry(${JSON.stringify(cache)}, 'killed-run');
      const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
      registry.addProcessGroup(child.pid, 'controller');
      startWatchdog(registry);
      console.log(child.pid);
      setInterval(() => {}, 1000);
    `;
    const runner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const childPid = await new Promise<number>((resolve) => runner.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
    expect(processAlive(childPid)).toBe(true);
    await sleep(1_000); // the watchdog is up
    runner.kill('SIGKILL');
    await until(() => !processAlive(childPid), 15_000);
    await until(() => !existsSync(join(cache, 'runs', 'killed-run.json')), 5_000);
  });

  it('a cleanly ended run leaves no record and its watchdog exits', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'fb-clean-'));
    const registry = new RunRegistry(cache, 'clean-run');
    startWatchdog(registry);
    registry.remove();
    expect(readRunRecords(cache)).toEqual([]);
  });
});
