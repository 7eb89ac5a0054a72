import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ComponentSpec } from './components.ts';
import { binaryEnvVar } from './cache.ts';
import { bare } from './versions.ts';

/** Whether a binary's reported version is `spec`'s (by its version flag or Go build info). */
export async function binaryMatchesVersion(path: string, spec: ComponentSpec): Promise<boolean> {
  const probe = spec.versionProbe;
  const result =
    probe.kind === 'flag'
      ? await execa(path, probe.args, { reject: false, timeout: 10_000 })
      : await execa('go', ['version', '-m', path], { reject: false, timeout: 10_000 });
  const text = `${result.stdout}\n${result.stderr}`;
  if (probe.kind === 'go-buildinfo') {
    return new RegExp(`\\s${spec.module.replace(/[.]/g, '\\.')}\\s+${spec.version.replace(/[.]/g, '\\.')}(\\s|$)`, 'm').test(text);
  }
  // Exact version token, so 1.34.4 does not match 1.34.40.
  return new RegExp(`(^|[^0-9.])v?${bare(spec.version).replace(/[.]/g, '\\.')}([^0-9.]|$)`).test(text);
}

function onPath(binary: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * A usable prebuilt binary: one named by FLUXBENCH_<NAME>_BINARY, else one on PATH, used
 * only when its version is the one asked for (a v1.32 kubectl on PATH is not a v1.34 one).
 */
export async function findPrebuilt(
  binary: string,
  spec: ComponentSpec,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ path: string; source: 'env' | 'path' } | undefined> {
  const named = env[binaryEnvVar(binary)];
  if (named && existsSync(named) && (await binaryMatchesVersion(named, spec))) return { path: named, source: 'env' };
  const found = onPath(binary, env);
  if (found && (await binaryMatchesVersion(found, spec))) return { path: found, source: 'path' };
  return undefined;
}
