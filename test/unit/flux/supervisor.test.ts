import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyExit, createMemoryCgroup, parseOomKills, SupervisedProcess } from '../../../src/flux/index.ts';
import type { Sample } from '../../../src/metrics/sample.ts';

function memorySink() {
  const samples: Sample[] = [];
  return { samples, write: (s: Sample) => samples.push(s) };
}

async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

const fastBackoff = { initialMs: 100, maxMs: 400, resetAfterMs: 60_000 };

describe('supervision policy', () => {
  it('doubles the back-off up to its cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay({ initialMs: 1000, maxMs: 5000, resetAfterMs: 0 }, n))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('classifies exits', () => {
    const base = { code: null, signal: 'SIGKILL' as const, stopping: false, killRequested: false, oomKillsBefore: 0, oomKillsAfter: 0 };
    expect(classifyExit({ ...base, oomKillsAfter: 1 })).toBe('OOMKilled');
    expect(classifyExit({ ...base, killRequested: true })).toBe('killed');
    expect(classifyExit({ ...base, stopping: true, oomKillsAfter: 1 })).toBe('stopped');
    expect(classifyExit({ ...base, signal: null, code: 0 })).toBe('exited');
    expect(classifyExit({ ...base, signal: null, code: 2 })).toBe('crashed');
    expect(parseOomKills('oom_kill_disable 0\nunder_oom 0\noom_kill 3\n')).toBe(3);
    expect(parseOomKills('low 0\nhigh 0\nmax 4\noom 2\noom_kill 2\n')).toBe(2);
  });
});

describe('a supervised real process', () => {
  it('restarts a crashing process with back-off and records each exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-sup-'));
    const sink = memorySink();
    const proc = new SupervisedProcess({
      id: 'crasher',
      labels: { controller: 'crasher' },
      command: '/bin/sh',
      args: ['-c', 'echo started; exit 3'],
      env: process.env,
      logFile: join(dir, 'crasher.log'),
      cgroupGroup: 'unit',
      backoff: fastBackoff,
      sink,
    });
    await proc.start();
    await until(() => proc.exits.length >= 3, 10_000);
    await proc.stop();
    expect(proc.exits.slice(0, 3).map((e) => [e.cause, e.code])).toEqual([
      ['crashed', 3],
      ['crashed', 3],
      ['crashed', 3],
    ]);
    expect(sink.samples.filter((s) => s.name === 'restart').length).toBeGreaterThanOrEqual(2);
    expect(readFileSync(join(dir, 'crasher.log'), 'utf8').match(/started/g)!.length).toBeGreaterThanOrEqual(3);
  });

  it('records a kill as killed, restarts it, and stops without restarting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-sup-'));
    const sink = memorySink();
    const proc = new SupervisedProcess({
      id: 'sleeper',
      labels: { controller: 'sleeper' },
      command: 'sleep',
      args: ['60'],
      env: process.env,
      logFile: join(dir, 'sleeper.log'),
      cgroupGroup: 'unit',
      backoff: fastBackoff,
      sink,
    });
    await proc.start();
    const first = proc.pid!;
    proc.kill('SIGKILL');
    await until(() => proc.pid !== undefined && proc.pid !== first, 5_000);
    await proc.stop();
    expect(proc.exits.map((e) => e.cause)).toEqual(['killed', 'stopped']);
    expect(() => process.kill(first, 0)).toThrow();
    expect(proc.pid).toBeUndefined();
  });

  it('lets the kernel OOM-kill a process over its memory limit and reports OOMKilled', async () => {
    const probe = await createMemoryCgroup('unit-probe', 'probe');
    expect(probe, 'this machine must offer a memory cgroup (v1 or v2) for memory limits').toBeDefined();
    await probe!.remove();
    const dir = mkdtempSync(join(tmpdir(), 'fb-sup-'));
    const sink = memorySink();
    const proc = new SupervisedProcess({
      id: 'hog',
      labels: { controller: 'hog' },
      command: process.execPath,
      args: ['-e', 'const a=[]; setInterval(()=>{ for (let i=0;i<8;i++) a.push(Buffer.alloc(1<<20, 1)); }, 5)'],
      env: process.env,
      logFile: join(dir, 'hog.log'),
      cgroupGroup: `unit-${process.pid}`,
      memoryLimitBytes: 96 * 1024 * 1024,
      backoff: { initialMs: 5_000, maxMs: 5_000, resetAfterMs: 60_000 },
      sink,
    });
    await proc.start();
    await until(() => proc.exits.length >= 1, 20_000);
    await proc.stop();
    expect(proc.exits[0]!.cause).toBe('OOMKilled');
    expect(proc.exits[0]!.signal).toBe('SIGKILL');
    expect(sink.samples.some((s) => s.kind === 'process' && s.name === 'oom_killed')).toBe(true);
  });
});
