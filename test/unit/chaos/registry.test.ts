import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionDefinition, chaosActions, timelineActionSchema } from '../../../src/chaos/index.ts';

const srcDir = join(import.meta.dirname, '../../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** The folders a module imports from (relative imports only), as paths under src/. */
function importedFolders(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/from '(\.[^']+)'/g)].map((match) => relative(srcDir, join(file, '..', match[1]!)).split('/')[0]!);
}

describe('the chaos action registry', () => {
  it('selects each definition by the action literal of its own schema', () => {
    for (const definition of chaosActions) {
      const values = [...(definition.schema._zod.propValues.action ?? [])];
      expect(values, definition.name).toEqual([definition.name]);
      expect(actionDefinition(definition.name)).toBe(definition);
    }
    expect(new Set(chaosActions.map((d) => d.name)).size).toBe(chaosActions.length);
  });

  it('builds the timeline schema from the definitions, so an unknown action lists every registered one', () => {
    const result = timelineActionSchema.safeParse({ at: '1s', action: 'churn.begin' });
    expect(result.success).toBe(false);
    expect([...timelineActionSchema._zod.propValues.action!]).toEqual(chaosActions.map((d) => d.name));
    expect(() => actionDefinition('churn.begin')).toThrow(/unknown timeline action "churn.begin"/);
  });

  it('keeps every action in its own module: no switch over action names elsewhere in src/chaos', () => {
    const chaosDir = join(srcDir, 'chaos');
    const offenders = sourceFiles(chaosDir).filter((file) => !file.includes('/actions/') && /switch \(\w+\.action\)/.test(readFileSync(file, 'utf8')));
    expect(offenders.map((file) => relative(srcDir, file))).toEqual([]);
  });
});

describe('folder layering', () => {
  it('src/chaos imports nothing from src/scenario (scenario → chaos only)', () => {
    const offenders = sourceFiles(join(srcDir, 'chaos')).filter((file) => importedFolders(file).includes('scenario'));
    expect(offenders.map((file) => relative(srcDir, file))).toEqual([]);
  });

  it('src/flux imports nothing from src/chaos (the artifact throttle lives in flux)', () => {
    const offenders = sourceFiles(join(srcDir, 'flux')).filter((file) => importedFolders(file).includes('chaos'));
    expect(offenders.map((file) => relative(srcDir, file))).toEqual([]);
  });
});
