import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FluxbenchError } from '../util/exit-codes.ts';
import { buildComponent, type Progress } from './build.ts';
import { cacheRoot as defaultCacheRoot } from './cache.ts';
import {
  etcdComponent,
  fluxCliComponent,
  fluxControllerComponent,
  helmComponent,
  kubernetesComponent,
  kwokComponent,
  registryComponent,
  type ComponentSpec,
} from './components.ts';
import { resolveFluxRelease, type FluxRelease } from './flux-release.ts';
import { downloadModule } from './go.ts';
import { pinControllers } from './pins.ts';
import { findPrebuilt } from './prebuilt.ts';
import { defaultVersions, type FluxControllerName, type ToolchainVersions } from './versions.ts';

export interface Toolchain {
  cacheRoot: string;
  versions: ToolchainVersions;
  flux: FluxRelease;
  /** Binary name (etcd, kube-apiserver, kwokctl, source-controller, ...) → absolute path. */
  binaries: Record<string, string>;
  /** Folder holding the Flux CRDs of the built controllers, from their own modules. */
  crdDir: string;
  /**
   * Folder holding the release's RBAC as `flux install` applies it (flux2's manifests/rbac:
   * controller.yaml and reconciler.yaml, the crd-controller ClusterRole and its binding and
   * cluster-admin for kustomize- and helm-controller; edit.yaml and view.yaml, the flux-edit and
   * flux-view ClusterRoles aggregated into admin, edit and view, which a tenant bound to `admin`
   * needs to manage Flux objects), from the flux2 module of the release.
   */
  rbacDir: string;
  /** Substitutions and other facts a report should mention. */
  notes: string[];
  /** Controllers built at another version than the Flux release's (toolchain.controllers), name → version. */
  pinned: Partial<Record<FluxControllerName, string>>;
}

export interface EnsureToolchainOptions {
  versions?: Partial<ToolchainVersions>;
  cacheRoot?: string;
  /** Flux controllers to build; default source, kustomize and helm. */
  controllers?: FluxControllerName[];
  /**
   * false: only the controllers' CRDs, not their binaries (kind and k3s run the published
   * images as pods). Default true.
   */
  controllerBinaries?: boolean;
  progress?: Progress;
  env?: NodeJS.ProcessEnv;
}

export const defaultControllers: FluxControllerName[] = ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller'];

/** CRDs of the controllers built, from each one's module; a pinned controller's version is part of the folder's name. */
async function installCrds(root: string, release: FluxRelease, controllers: FluxControllerName[], shipped: FluxRelease): Promise<string> {
  const part = (c: FluxControllerName) => `${c.split('-')[0]}${release.controllers[c].version !== shipped.controllers[c].version ? `-${release.controllers[c].version}` : ''}`;
  const crdDir = join(root, `flux-crds-${release.flux}-${controllers.map(part).join('-')}`);
  if (existsSync(join(crdDir, '.complete'))) return crdDir;
  const staging = `${crdDir}.staging-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  for (const name of controllers) {
    const { version } = release.controllers[name];
    const mod = await downloadModule(`github.com/fluxcd/${name}`, version);
    const bases = join(mod.dir, 'config', 'crd', 'bases');
    for (const file of await readdir(bases)) {
      if (file.endsWith('.yaml')) await copyFile(join(bases, file), join(staging, file));
    }
  }
  await writeFile(join(staging, '.complete'), '');
  await rm(crdDir, { recursive: true, force: true });
  await rename(staging, crdDir);
  return crdDir;
}

/**
 * flux2's RBAC (manifests/rbac of the release's module) but resourcequota.yaml, a quota on
 * critical-priority pods in flux-system that host-process controllers have no pods for.
 */
const rbacFiles = ['controller.yaml', 'reconciler.yaml', 'edit.yaml', 'view.yaml'];

async function installRbac(root: string, release: FluxRelease): Promise<string> {
  const rbacDir = join(root, `flux-rbac-${release.flux}`);
  // A folder from before a file joined the list is made again.
  if (existsSync(join(rbacDir, '.complete')) && rbacFiles.every((file) => existsSync(join(rbacDir, file)))) return rbacDir;
  const staging = `${rbacDir}.staging-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const mod = await downloadModule('github.com/fluxcd/flux2/v2', `v${release.flux}`);
  for (const file of rbacFiles) await copyFile(join(mod.dir, 'manifests', 'rbac', file), join(staging, file));
  await writeFile(join(staging, '.complete'), '');
  await rm(rbacDir, { recursive: true, force: true });
  await rename(staging, rbacDir);
  return rbacDir;
}

/**
 * Makes every binary a run needs available: prebuilt ones whose version matches, else built
 * once from the published Go modules into the cache (`<cache>/<component>-<version>/bin`, with a
 * stamp recording the Go that built it and how long it took). The slow path runs once per
 * version. `versions.controllers` pins controllers to other versions than the Flux release's;
 * a module needing a newer Go than the machine's is built with the approved newer Go.
 *
 * @throws UsageError for a Flux release or pinned controller version the module proxy does not serve.
 * @throws FluxbenchError when a build fails (with the command that reproduces it).
 */
export async function ensureToolchain(options: EnsureToolchainOptions = {}): Promise<Toolchain> {
  const env = options.env ?? process.env;
  const root = options.cacheRoot ?? defaultCacheRoot(env);
  const versions: ToolchainVersions = { ...defaultVersions, ...options.versions };
  const progress: Progress = options.progress ?? (() => {});
  const controllers = options.controllers ?? defaultControllers;
  await mkdir(root, { recursive: true });

  const shipped = await resolveFluxRelease(versions.flux, root);
  const flux = await pinControllers(shipped, versions.controllers ?? {});
  const notes: string[] = [];
  const specs: ComponentSpec[] = [
    etcdComponent(versions.etcd),
    kwokComponent(versions.kwok),
    kubernetesComponent(versions.kubernetes),
    registryComponent(versions.registry),
    fluxCliComponent(flux.flux),
    helmComponent(versions.helm),
  ];
  for (const name of controllers) {
    const resolved = flux.controllers[name];
    if (resolved.note) notes.push(resolved.note);
    if (!resolved.version) {
      throw new FluxbenchError(`cannot build ${name} for Flux ${flux.flux}: ${resolved.note ?? 'no version'}`);
    }
    if (options.controllerBinaries !== false) specs.push(fluxControllerComponent(name, resolved.version));
  }
  for (const note of notes) progress({ type: 'note', message: note });

  const binaries: Record<string, string> = {};
  for (const spec of specs) {
    const prebuilt: Record<string, string> = {};
    for (const b of spec.binaries) {
      const found = await findPrebuilt(b.name, spec, env);
      if (found) prebuilt[b.name] = found.path;
    }
    if (Object.keys(prebuilt).length === spec.binaries.length) {
      Object.assign(binaries, prebuilt);
      progress({ type: 'note', message: `${spec.name} ${spec.version}: using prebuilt ${Object.values(prebuilt).join(', ')}` });
      continue;
    }
    const installed = await buildComponent(spec, root, progress);
    Object.assign(binaries, installed.binaries, prebuilt);
  }
  const crdDir = await installCrds(root, flux, controllers, shipped);
  const rbacDir = await installRbac(root, flux);
  const pinned = Object.fromEntries(controllers.filter((c) => flux.controllers[c].version !== shipped.controllers[c].version).map((c) => [c, flux.controllers[c].version]));
  return { cacheRoot: root, versions: { ...versions, flux: flux.flux }, flux, binaries, crdDir, rbacDir, notes, pinned };
}
