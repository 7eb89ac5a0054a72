import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { withDirLock } from '../../../src/toolchain/lock.ts';

describe('directory lock', () => {
  it('serialises holders in one process', async () => {
    const lock = join(mkdtempSync(join(tmpdir(), 'fb-lock-')), 'l');
    const events: string[] = [];
    const holder = (name: string) =>
      withDirLock(lock, async () => {
        events.push(`${name}+`);
        await sleep(150);
        events.push(`${name}-`);
      });
    await Promise.all([holder('a'), holder('b')]);
    expect(events.join(' ')).toMatch(/^(a\+ a- b\+ b-|b\+ b- a\+ a-)$/);
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock whose owner died', async () => {
    const lock = join(mkdtempSync(join(tmpdir(), 'fb-lock-')), 'l');
    const dead = spawn('true');
    await new Promise((r) => dead.once('exit', r));
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), String(dead.pid));
    let waited = false;
    const value = await withDirLock(lock, async () => 42, () => (waited = true));
    expect(value).toBe(42);
    expect(waited).toBe(false);
  });

  it('waits for a live owner', async () => {
    const lock = join(mkdtempSync(join(tmpdir(), 'fb-lock-')), 'l');
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), String(process.pid));
    let waitedFor = 0;
    const pending = withDirLock(lock, async () => 'got it', (pid) => (waitedFor = pid));
    await sleep(300);
    expect(waitedFor).toBe(process.pid);
    // the owner releases: the waiter proceeds
    const { rmSync } = await import('node:fs');
    rmSync(lock, { recursive: true });
    expect(await pending).toBe('got it');
  });
});
