/**
 * How the Git host stores a repository, as GitHub does: always packed (a push or an import of a
 * few objects is kept as a pack instead of being exploded into loose files, which every later
 * fetch would have to compress again) and indexed with reachability bitmaps. The generator writes
 * repositories this way; the fake GitHub keeps them so with background repacks after pushes.
 */

/** Settings written into every bare repository the host serves (`git config`, repository scope). */
export const storageConfig: Readonly<Record<string, string>> = {
  // fast-import falls back to transfer.unpackLimit when fastimport.unpackLimit is unset, and so
  // does receive-pack: with 1, only an empty pack would be unpacked.
  'transfer.unpackLimit': '1',
  'repack.writeBitmaps': 'true',
  'pack.writeBitmapHashCache': 'true',
};

/** `git config` argument lists that apply storageConfig to a bare repository (run each with `--git-dir <dir>`). */
export function storageConfigCommands(): string[][] {
  return Object.entries(storageConfig).map(([key, value]) => ['config', key, value]);
}

/**
 * storageConfig as lines to append to the `config` file `git init` has just written: the same
 * settings without three git processes per repository (generation writes hundreds of repos).
 */
export function storageConfigText(): string {
  const sections = new Map<string, string[]>();
  for (const [key, value] of Object.entries(storageConfig)) {
    const dot = key.indexOf('.');
    const section = key.slice(0, dot);
    sections.set(section, [...(sections.get(section) ?? []), `\t${key.slice(dot + 1)} = ${value}`]);
  }
  return [...sections].map(([section, lines]) => `[${section}]\n${lines.join('\n')}\n`).join('');
}

/** Everything into one pack with a bitmap: what a repository looks like after GitHub's full gc. */
export const fullRepackArgs: readonly string[] = ['repack', '-a', '-d', '-b', '-q'];

/**
 * The incremental repack after pushes: small packs and loose objects are rolled up so that pack
 * sizes form a geometric progression (factor 2), leaving large packs alone, and a multi-pack
 * index with its reachability bitmap covers them all (git ≥ 2.34).
 */
export const incrementalRepackArgs: readonly string[] = ['repack', '--geometric=2', '-d', '--write-midx', '--write-bitmap-index', '-q'];
