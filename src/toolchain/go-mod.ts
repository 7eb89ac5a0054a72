/**
 * Pure helpers for the wrapper modules: a published Go module's `replace` directives do not
 * apply when it is built as a dependency, so each wrapper copies the ones that matter.
 */

export interface Replace {
  from: string;
  fromVersion?: string;
  to: string;
  toVersion?: string;
}

export interface ParsedGoMod {
  module: string;
  go?: string;
  replaces: Replace[];
  requires: Map<string, string>;
}

function stripComment(line: string): string {
  const at = line.indexOf('//');
  return (at >= 0 ? line.slice(0, at) : line).trim();
}

function parseReplace(body: string): Replace | undefined {
  const [left, right] = body.split('=>').map((s) => s.trim().split(/\s+/));
  if (!left?.[0] || !right?.[0]) return undefined;
  return {
    from: left[0],
    ...(left[1] ? { fromVersion: left[1] } : {}),
    to: right[0],
    ...(right[1] ? { toVersion: right[1] } : {}),
  };
}

/** Parses the directives of a go.mod that a wrapper needs: module, go, require, replace. */
export function parseGoMod(text: string): ParsedGoMod {
  const result: ParsedGoMod = { module: '', replaces: [], requires: new Map() };
  let block: 'require' | 'replace' | undefined;
  for (const raw of text.split('\n')) {
    const line = stripComment(raw);
    if (line === '') continue;
    if (block) {
      if (line === ')') {
        block = undefined;
        continue;
      }
      if (block === 'replace') {
        const r = parseReplace(line);
        if (r) result.replaces.push(r);
      } else {
        const [path, version] = line.split(/\s+/);
        if (path && version) result.requires.set(path, version);
      }
      continue;
    }
    const [directive, ...rest] = line.split(/\s+/);
    const body = rest.join(' ');
    if (directive === 'module') result.module = body;
    else if (directive === 'go') result.go = body;
    else if (directive === 'require' || directive === 'replace') {
      if (body === '(') block = directive;
      else if (directive === 'replace') {
        const r = parseReplace(body);
        if (r) result.replaces.push(r);
      } else {
        const [path, version] = rest;
        if (path && version) result.requires.set(path, version);
      }
    }
  }
  return result;
}

export interface WrapperModule {
  module: string;
  go: string;
  requires: Array<{ path: string; version: string }>;
  replaces: Replace[];
}

/**
 * Turns upstream replace directives into ones valid outside the upstream repository:
 * local-path replaces are either mapped to a published version (Kubernetes' staging modules,
 * published as v0.MINOR.PATCH) or dropped (Flux's `=> ./api`, resolved through `require`).
 */
export function portableReplaces(
  replaces: Replace[],
  mapLocal: (r: Replace) => Replace | undefined,
): Replace[] {
  const out: Replace[] = [];
  for (const r of replaces) {
    if (r.to.startsWith('./') || r.to.startsWith('../')) {
      const mapped = mapLocal(r);
      if (mapped) out.push(mapped);
    } else {
      out.push(r);
    }
  }
  return out;
}

export function renderGoMod(mod: WrapperModule): string {
  const lines = [`module ${mod.module}`, '', `go ${mod.go}`, ''];
  if (mod.requires.length) {
    lines.push('require (');
    for (const r of mod.requires) lines.push(`\t${r.path} ${r.version}`);
    lines.push(')', '');
  }
  if (mod.replaces.length) {
    lines.push('replace (');
    for (const r of mod.replaces) {
      const from = r.fromVersion ? `${r.from} ${r.fromVersion}` : r.from;
      const to = r.toVersion ? `${r.to} ${r.toVersion}` : r.to;
      lines.push(`\t${from} => ${to}`);
    }
    lines.push(')', '');
  }
  return lines.join('\n');
}

/** Compares dotted versions ("1.26.0" vs "1.24"); returns <0, 0 or >0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.replace(/^v/, '').split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
