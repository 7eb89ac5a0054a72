import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = join(import.meta.dirname, '../../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Files and packages a file loads when imported: static value imports, not `import type` nor `import()`. */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b(?!\s+type\b)[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) =>
    m[1]!.startsWith('.') ? join(file, '..', m[1]!) : m[1]!,
  );
}

function loadedBy(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  if (entry.endsWith('.ts')) for (const next of valueImports(entry)) loadedBy(next, seen);
  return seen;
}

/** The src folders (or packages) a file imports from. */
function importedLayers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
  return specifiers.map((specifier) => {
    if (!specifier.startsWith('.')) return specifier;
    const target = relative(src, join(file, '..', specifier));
    return target.split(/[\\/]/)[0]!;
  });
}

describe('src/measurements is a layer', () => {
  it('imports only src/metrics, src/util and libraries, never report, scenario or run', () => {
    const folders = new Set(readdirSync(src, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name));
    const allowed = new Set(['measurements', 'metrics', 'util']);
    for (const file of sourceFiles(join(src, 'measurements'))) {
      // Libraries are fine; of the project's own folders only the layers below.
      for (const layer of importedLayers(file).filter((l) => folders.has(l))) expect(allowed.has(layer), `${relative(src, file)} imports ${layer}`).toBe(true);
    }
  });

  it('is imported by report and scenario, never by the samplers under it', () => {
    for (const file of [...sourceFiles(join(src, 'metrics')), ...sourceFiles(join(src, 'util'))]) {
      expect(importedLayers(file), relative(src, file)).not.toContain('measurements');
    }
    const users = (folder: string) => sourceFiles(join(src, folder)).some((file) => importedLayers(file).includes('measurements'));
    expect(users('report')).toBe(true);
    expect(users('scenario')).toBe(true);
  });

  it('loads no sampler dependency (the Kubernetes client) for the catalogue, reports or validation', () => {
    // Samplers that need the client are imported by their factories on demand, when a run starts.
    for (const entry of ['measurements/index.ts', 'report/summary.ts', 'scenario/expression-schemas.ts']) {
      const loaded = [...loadedBy(join(src, entry))];
      expect(loaded.filter((path) => path.startsWith('@kubernetes/')), entry).toEqual([]);
    }
  });
});
