import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tarArchive, tgzArchive } from '../../../src/workload/tar.ts';
import { listFiles, tempDir } from './helpers.ts';

const dir = tempDir('tar');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tar writer', () => {
  const longPath = `${'deep/'.repeat(25)}file-with-a-long-name.txt`;
  const entries = [
    { path: 'chart/Chart.yaml', content: 'name: x\n' },
    { path: 'chart/empty.txt', content: '' },
    { path: 'chart/block.bin', content: Buffer.alloc(512, 7) },
    { path: longPath, content: 'long\n' },
  ];

  it('writes archives GNU tar extracts byte for byte', () => {
    const file = join(dir, 'a.tgz');
    writeFileSync(file, tgzArchive(entries, 1_700_000_000));
    const out = join(dir, 'out');
    mkdirSync(out);
    execFileSync('tar', ['-xzf', file, '-C', out]);
    expect(listFiles(out)).toEqual(entries.map((e) => e.path).sort());
    for (const entry of entries) expect(readFileSync(join(out, entry.path))).toEqual(Buffer.from(entry.content));
    const verbose = execFileSync('tar', ['-tvzf', file], { encoding: 'utf8' });
    expect(verbose).toMatch(/root\/root\s+8 2023-11-1\d/);
  });

  it('is reproducible and 512-byte aligned', () => {
    expect(tgzArchive(entries)).toEqual(tgzArchive(entries));
    expect(tarArchive(entries).length % 512).toBe(0);
    expect(() => tarArchive([{ path: `${'x'.repeat(120)}/${'y'.repeat(120)}`, content: '' }])).toThrow(/too long/);
  });
});
