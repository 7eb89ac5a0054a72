import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FastImportWriter, runFastImport } from '../../../src/workload/fast-import.ts';
import { initBareRepo } from '../../../src/workload/git.ts';
import { git, tempDir } from './helpers.ts';

const dir = tempDir('fast-import');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const author = { name: 'T', email: 't@example.invalid' };

describe('fast-import stream', () => {
  it('stores identical blobs once and applies modify, inline and delete changes', async () => {
    const gitDir = join(dir, 'a.git');
    await initBareRepo(gitDir);
    let blobs = 0;
    const result = await runFastImport(gitDir, async (w) => {
      const same1 = w.blob('same\n');
      const same2 = w.blob('same\n');
      expect(same2).toBe(same1);
      const first = w.commit({ ref: 'refs/heads/main', author, time: 1_000_000, message: 'one', changes: [{ path: 'a.txt', mark: same1 }, { path: 'dir/b.txt', mark: same2 }] });
      const second = w.commit({ ref: 'refs/heads/main', author, time: 1_000_060, message: 'two', from: first, changes: [{ path: 'a.txt', delete: true }, { path: 'dir/c.txt', content: 'inline\n' }] });
      w.getMark(second);
      blobs = w.blobBytes;
    });
    expect(blobs).toBe('same\n'.length + 'inline\n'.length);
    expect(result.commits).toBe(2);
    expect(result.output).toEqual([git(['rev-parse', 'main'], gitDir).trim()]);
    expect(git(['ls-tree', '-r', '--name-only', 'main'], gitDir).trim().split('\n')).toEqual(['dir/b.txt', 'dir/c.txt']);
    expect(git(['log', '--format=%s %at', 'main'], gitDir).trim().split('\n')).toEqual(['two 1000060', 'one 1000000']);
    const objects = git(['cat-file', '--batch-all-objects', '--batch-check=%(objecttype)'], gitDir).trim().split('\n');
    expect(objects.filter((t) => t === 'blob')).toHaveLength(2);
  });

  it('refuses unsafe paths before git sees them', () => {
    const writer = new FastImportWriter({ async write() {}, async end() {} });
    for (const path of ['/abs', '../up', 'a//b', 'a/./b', 'new\nline']) {
      expect(() => writer.commit({ ref: 'refs/heads/main', author, time: 1, message: 'x', changes: [{ path, content: '' }] })).toThrow(/refusing path/);
    }
  });

  it('reports git errors with its stderr', async () => {
    const gitDir = join(dir, 'b.git');
    await initBareRepo(gitDir);
    await expect(
      runFastImport(gitDir, async (w) => {
        w.commit({ ref: 'refs/heads/main', author, time: 1, message: 'x', from: 'refs/heads/does-not-exist^0', changes: [] });
      }),
    ).rejects.toThrow(/git fast-import .* failed .*does-not-exist/s);
  });
});
