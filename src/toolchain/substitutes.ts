import { compareVersions } from './go-mod.ts';

/**
 * A module proxy may refuse some versions (a mirror that serves a curated subset does). A
 * dependency version it refuses is replaced by the nearest version it serves: the newest
 * earlier patch of the same minor, else the newest earlier version of the same major, else
 * the next later patch of the same minor. The substitution is reported, never silent.
 */

export interface ModuleVersion {
  path: string;
  version: string;
}

/** Modules a failed `go build` could not download because the proxy refused them. */
export function parseRefusedModules(output: string): ModuleVersion[] {
  const found = new Map<string, ModuleVersion>();
  const pattern = /([A-Za-z0-9][\w.~/-]*)@(v\d+\.\d+\.\d+[\w.+-]*): (?:reading|verifying|unrecognized import path)[^\n]*?(?:403 Forbidden|404 Not Found|410 Gone|not available)/g;
  for (const match of output.matchAll(pattern)) {
    const path = match[1]!;
    const version = match[2]!;
    found.set(`${path}@${version}`, { path, version });
  }
  // "server response: This module version is not available." follows on the next line.
  const twoLine = /([A-Za-z0-9][\w.~/-]*)@(v\d+\.\d+\.\d+[\w.+-]*): reading [^\n]*\n\s*server response: [^\n]*not available/g;
  for (const match of output.matchAll(twoLine)) found.set(`${match[1]}@${match[2]}`, { path: match[1]!, version: match[2]! });
  return [...found.values()];
}

function parts(version: string): [number, number, number] {
  const [major = 0, minor = 0, patch = 0] = version
    .replace(/^v/, '')
    .split(/[.+-]/)
    .map((p) => Number.parseInt(p, 10) || 0);
  return [major, minor, patch];
}

/** The served version to use instead of `wanted`, or undefined when none is acceptable. */
export function chooseSubstitute(wanted: string, served: string[]): string | undefined {
  const [major, minor] = parts(wanted);
  const releases = served.filter((v) => !/-/.test(v.replace(/^v\d+\.\d+\.\d+/, '')) && v !== wanted);
  const sameMajor = releases.filter((v) => parts(v)[0] === major);
  const sameMinor = sameMajor.filter((v) => parts(v)[1] === minor);
  const newest = (list: string[]) => [...list].sort(compareVersions).at(-1);
  const oldest = (list: string[]) => [...list].sort(compareVersions)[0];
  return (
    newest(sameMinor.filter((v) => compareVersions(v, wanted) < 0)) ??
    newest(sameMajor.filter((v) => compareVersions(v, wanted) < 0)) ??
    oldest(sameMinor.filter((v) => compareVersions(v, wanted) > 0))
  );
}
