/**
 * The tree's shape as tests: folders import one way, no file imports itself through others, no
 * source file over 400 lines, no function over 100 lines unless a comment above it says why.
 * Each failure names the files (and lines) to look at.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const src = join(root, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const files = sourceFiles(src);

/** Relative imports (static, dynamic and re-exports) of a file, resolved to paths in the tree. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName).filter((name) => name.startsWith('.')).map((name) => resolve(dirname(file), name));
}

const graph = new Map(files.map((file) => [file, importsOf(file).filter((target) => files.includes(target))]));

/** `src/<folder>` of a file; files directly under src/ belong to no folder. */
function folderOf(file: string): string | undefined {
  const parts = relative(src, file).split('/');
  return parts.length > 1 ? parts[0] : undefined;
}

/** Strongly connected components of size > 1 (Tarjan), each sorted. */
function cycles<T>(nodes: readonly T[], edges: (node: T) => readonly T[]): T[][] {
  let index = 0;
  const indices = new Map<T, number>();
  const low = new Map<T, number>();
  const stack: T[] = [];
  const onStack = new Set<T>();
  const found: T[][] = [];
  const visit = (node: T): void => {
    indices.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of edges(node)) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, indices.get(next)!));
    }
    if (low.get(node) === indices.get(node)) {
      const component: T[] = [];
      let member: T;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component);
    }
  };
  for (const node of nodes) if (!indices.has(node)) visit(node);
  return found;
}

describe('the structure of src/', () => {
  it('has no import cycle between folders', () => {
    const folderEdges = new Map<string, Map<string, string[]>>();
    for (const [file, targets] of graph) {
      const from = folderOf(file);
      if (!from) continue;
      for (const target of targets) {
        const to = folderOf(target);
        if (!to || to === from) continue;
        const byTarget = folderEdges.get(from) ?? new Map<string, string[]>();
        folderEdges.set(from, byTarget);
        byTarget.set(to, [...(byTarget.get(to) ?? []), `${relative(root, file)} → ${relative(root, target)}`]);
      }
    }
    const folders = [...new Set(files.map(folderOf).filter((f): f is string => f !== undefined))];
    const found = cycles(folders, (f) => [...(folderEdges.get(f)?.keys() ?? [])]);
    const explain = found.map((component) => {
      const members = new Set(component);
      const imports = component.flatMap((from) => [...(folderEdges.get(from) ?? new Map<string, string[]>())].filter(([to]) => members.has(to)).flatMap(([, lines]) => lines));
      return `cycle between ${component.sort().join(', ')}:\n  ${imports.join('\n  ')}`;
    });
    expect(explain, explain.join('\n')).toEqual([]);
  });

  it('has no import cycle between files', () => {
    const found = cycles(files, (f) => graph.get(f) ?? []).map((c) => c.map((f) => relative(root, f)).sort().join(' ↔ '));
    expect(found, found.join('\n')).toEqual([]);
  });

  it('has no source file over 400 lines', () => {
    const long = files
      .map((file) => ({ file: relative(root, file), lines: readFileSync(file, 'utf8').split('\n').length }))
      .filter((f) => f.lines > 400)
      .map((f) => `${f.file}: ${f.lines} lines`);
    expect(long, long.join('\n')).toEqual([]);
  });

  it('has no function over 100 lines unless a comment above it says why ("long: <reason>")', () => {
    const long: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
          const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
          const statement = ts.findAncestor(node, (n) => ts.isStatement(n) || ts.isClassElement(n) || ts.isPropertyAssignment(n)) ?? node;
          const comments = ts.getLeadingCommentRanges(text, statement.getFullStart()) ?? [];
          const explained = comments.some((c) => /\blong: \S/.test(text.slice(c.pos, c.end)));
          if (end - start + 1 > 100 && !explained) long.push(`${relative(root, file)}:${start + 1}: ${end - start + 1} lines`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(long, long.join('\n')).toEqual([]);
  });
});
