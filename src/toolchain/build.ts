import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FluxbenchError } from '../util/exit-codes.ts';
import type { ComponentSpec } from './components.ts';
import { componentDir } from './cache.ts';
import { downloadModule, goEnv, goFor, servedVersions } from './go.ts';
import { parseGoMod, portableReplaces, renderGoMod } from './go-mod.ts';
import { withDirLock } from './lock.ts';
import { chooseSubstitute, parseRefusedModules, type ModuleVersion } from './substitutes.ts';

export type ProgressEvent =
  | { type: 'cached'; component: string; version: string }
  | { type: 'waiting'; component: string; ownerPid: number }
  | { type: 'download'; component: string; version: string }
  | { type: 'build'; component: string; binary: string }
  | { type: 'built'; component: string; binary: string; elapsedMs: number }
  | { type: 'done'; component: string; version: string; elapsedMs: number }
  | { type: 'note'; message: string };
export type Progress = (event: ProgressEvent) => void;

export interface InstalledComponent {
  name: string;
  version: string;
  dir: string;
  /** Binary name → absolute path. */
  binaries: Record<string, string>;
}

const stampName = 'fluxbench-complete.json';

function installed(spec: ComponentSpec, dir: string): InstalledComponent {
  return {
    name: spec.name,
    version: spec.version,
    dir,
    binaries: Object.fromEntries(spec.binaries.map((b) => [b.name, join(dir, 'bin', b.name)])),
  };
}

export function isInstalled(spec: ComponentSpec, root: string): boolean {
  const dir = componentDir(root, spec.name, spec.version);
  return existsSync(join(dir, stampName)) && spec.binaries.every((b) => existsSync(join(dir, 'bin', b.name)));
}

/**
 * The go.mod of the wrapper module that builds `spec` as a dependency, with `substitutes`
 * replacing dependency versions the module proxy refuses.
 */
export function wrapperGoMod(
  spec: ComponentSpec,
  upstreamGoMod: string,
  substitutes: Map<string, ModuleVersion> = new Map(),
  localCopy?: string,
): string {
  const upstream = parseGoMod(upstreamGoMod);
  const replaces = portableReplaces(upstream.replaces, spec.mapLocalReplace).filter((r) => !substitutes.has(r.from));
  for (const [path, to] of substitutes) replaces.push({ from: path, to: path, toVersion: to.version });
  if (localCopy) replaces.push({ from: spec.module, to: localCopy });
  return renderGoMod({
    module: `fluxbench.local/build/${spec.name}`,
    go: upstream.go ?? '1.24',
    requires: [{ path: spec.module, version: spec.version }],
    replaces,
  });
}

/** Finds a served stand-in for each refused module; false when some has none. */
async function addSubstitutes(refused: ModuleVersion[], substitutes: Map<string, ModuleVersion>, progress: Progress): Promise<boolean> {
  for (const module of refused) {
    const choice = chooseSubstitute(module.version, await servedVersions(module.path));
    if (!choice || substitutes.get(module.path)?.version === choice) return false;
    substitutes.set(module.path, { path: module.path, version: choice });
    progress({
      type: 'note',
      message: `${module.path}@${module.version} is not served by the Go module proxy; building with ${choice} instead`,
    });
  }
  return true;
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** A fresh writable copy of a module-cache folder (read-only there), patched; returns its go.mod-relative path. */
async function writableCopy(from: string, to: string, prepare: (dir: string) => Promise<void>): Promise<string> {
  await rm(to, { recursive: true, force: true });
  await cp(from, to, { recursive: true });
  await execa('chmod', ['-R', 'u+w', to]);
  await prepare(to);
  return './src';
}

/**
 * Builds one component into the cache. Binaries are compiled into a staging folder that is
 * renamed into place only when all of them built, so a killed build never leaves a half
 * binary; a lock per component makes two concurrent runs build it once.
 */
export async function buildComponent(spec: ComponentSpec, root: string, progress: Progress): Promise<InstalledComponent> {
  const dir = componentDir(root, spec.name, spec.version);
  if (isInstalled(spec, root)) {
    progress({ type: 'cached', component: spec.name, version: spec.version });
    return installed(spec, dir);
  }
  await mkdir(join(root, '.locks'), { recursive: true });
  return withDirLock(
    join(root, '.locks', `${spec.name}-${spec.version}`),
    async () => {
      if (isInstalled(spec, root)) {
        progress({ type: 'cached', component: spec.name, version: spec.version });
        return installed(spec, dir);
      }
      const started = Date.now();
      progress({ type: 'download', component: spec.name, version: spec.version });
      const upstream = await downloadModule(spec.module, spec.version);
      const goDirective = parseGoMod(upstream.goModText).go ?? '1.24';
      const go = await goFor(goDirective, `${spec.module}@${spec.version}`);
      if (go.toolchain !== 'local') {
        progress({ type: 'note', message: `${spec.name} ${spec.version}: its go.mod needs Go ${goDirective}, newer than this machine's; building with Go ${go.version}, which the go command fetches through the Go module proxy` });
      }
      const env = goEnv(go.toolchain);

      const work = join(root, '.work', `${spec.name}-${spec.version}`);
      await mkdir(work, { recursive: true });
      const substitutes = new Map<string, ModuleVersion>();
      const localCopy = spec.prepareSource ? await writableCopy(upstream.dir, join(work, 'src'), spec.prepareSource) : undefined;
      await writeFile(join(work, 'go.mod'), wrapperGoMod(spec, upstream.goModText, substitutes, localCopy));
      // Upstream's go.sum covers nearly every dependency: fewer checksum look-ups.
      if (!existsSync(join(work, 'go.sum'))) await writeFile(join(work, 'go.sum'), upstream.goSumText);

      const staging = `${dir}.staging-${process.pid}`;
      await rm(staging, { recursive: true, force: true });
      await mkdir(join(staging, 'bin'), { recursive: true });
      for (const binary of spec.binaries) {
        const binStarted = Date.now();
        progress({ type: 'build', component: spec.name, binary: binary.name });
        const args = ['build', '-trimpath', '-ldflags', ['-s', '-w', ...spec.ldflags].join(' '), '-o', join(staging, 'bin', binary.name), binary.pkg];
        let result = await execa('go', args, { cwd: work, env, reject: false, all: true });
        for (let attempt = 0; result.exitCode !== 0 && attempt < 8; attempt++) {
          const refused = parseRefusedModules(result.all ?? '');
          if (refused.length === 0 || !(await addSubstitutes(refused, substitutes, progress))) break;
          await writeFile(join(work, 'go.mod'), wrapperGoMod(spec, upstream.goModText, substitutes, localCopy));
          result = await execa('go', args, { cwd: work, env, reject: false, all: true });
        }
        if (result.exitCode !== 0) {
          await rm(staging, { recursive: true, force: true });
          const reproduce = `cd ${work} && GOTOOLCHAIN=${env.GOTOOLCHAIN} CGO_ENABLED=0 GOFLAGS=-mod=mod go ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`;
          // A dependency the proxy refuses, with no served stand-in, is the usual reason a newer release cannot be built here: say so first.
          const refused = parseRefusedModules(result.all ?? '').map((m) => `${m.path}@${m.version}`);
          const why = refused.length > 0 ? `${spec.module}@${spec.version} cannot be built here: the Go module proxy refuses its dependencies ${refused.join(', ')} and serves no stand-in for them. Pin an earlier version.\n` : '';
          throw new FluxbenchError(
            `${why}building ${binary.name} (${spec.module}@${spec.version}) failed:\n${tail(result.all ?? '', 25)}\n\nreproduce with:\n  ${reproduce}`,
          );
        }
        progress({ type: 'built', component: spec.name, binary: binary.name, elapsedMs: Date.now() - binStarted });
      }
      await writeFile(
        join(staging, stampName),
        JSON.stringify(
          { module: spec.module, version: spec.version, builtAt: new Date().toISOString(), buildSeconds: (Date.now() - started) / 1000, go: go.version, goToolchain: go.toolchain, binaries: spec.binaries, substitutes: [...substitutes.values()] },
          null,
          2,
        ),
      );
      await rm(dir, { recursive: true, force: true });
      await rename(staging, dir);
      progress({ type: 'done', component: spec.name, version: spec.version, elapsedMs: Date.now() - started });
      return installed(spec, dir);
    },
    (ownerPid) => progress({ type: 'waiting', component: spec.name, ownerPid }),
  );
}

export async function readStamp(dir: string): Promise<unknown> {
  return JSON.parse(await readFile(join(dir, stampName), 'utf8'));
}
