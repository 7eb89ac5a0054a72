/**
 * generateWorkload: plans the workload, writes each repo's history into a bare repo under
 * `<storageRoot>/<owner>/<repo>.git` through git fast-import (packed, with a bitmap), publishes
 * the Helm chart under `<storageRoot>/pages/`, and writes graph.json, workload.json and root.yaml
 * beside them.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FluxbenchError, UsageError } from '../util/exit-codes.ts';
import { runFastImport } from './fast-import.ts';
import { fluxObjectRefs, rootObjects, tenancyObjects, type FluxObjectRef, type RootObjectsContext } from './flux-objects.ts';
import { directoryBytes, initBareRepo, packRepository } from './git.ts';
import { loadGraphTruth, writeGraphTruth, type GraphTruth } from './graph.ts';
import { helmIndex, packageChart } from './helm-chart.ts';
import { commitTime, writeRepoHistory } from './history.ts';
import { dummyCrds } from './crds.ts';
import { parseAllDocuments } from 'yaml';
import { renderUnitFiles, toYaml, type K8sObject } from './manifests.ts';
import type { OciPlan } from './oci-plan.ts';
import { parseGeneratorOptions, type GeneratorOptions, type GeneratorOptionsInput } from './options.ts';
import { planWorkload, type UnitVariant, type WorkloadPlan } from './plan.ts';
import { spokeObjectId } from './fleet-plan.ts';

export interface GenerateContext extends RootObjectsContext {
  /** Where bare repos go: `<storageRoot>/<owner>/<repo>.git` (the fake GitHub's storage, or any directory). */
  storageRoot: string;
  /** Base URL Flux clones from, e.g. `http://127.0.0.1:8080`; repos are `${gitBaseUrl}/<owner>/<repo>.git`. */
  gitBaseUrl: string;
  /** With `source: oci`: the registry as Flux reaches it, `oci://host:port` (default oci://127.0.0.1:5000). */
  ociBaseUrl?: string;
  /** Replace repos that already exist instead of failing. */
  overwrite?: boolean;
  /** Repos written at the same time (each is one git fast-import process). Default 2. */
  concurrency?: number;
  /** Called as each repo is finished (progress for large workloads). */
  onRepo?: (repo: GeneratedRepo, done: number, total: number) => void;
}

export interface GeneratedRepo {
  owner: string;
  name: string;
  fullName: string;
  /** Bare repo directory. */
  path: string;
  url: string;
  headSha: string;
  commits: number;
  /** Bytes on disk of the bare repo. */
  bytes: number;
}

export interface GeneratedApp {
  name: string;
  variant: UnitVariant;
  team: string;
  namespace: string;
  /** owner/repo holding the app directory. */
  repo: string;
  /** Directory inside the repo. */
  dir: string;
  /** Id of its Kustomization; in fleet mode the first spoke's (each spoke has one, in its namespace). */
  kustomization: string;
  churnable: boolean;
}

export interface GeneratedWorkload {
  seed: number;
  storageRoot: string;
  gitBaseUrl: string;
  repos: GeneratedRepo[];
  /** Apply these to bootstrap: Flux namespace, auth Secret, fleet GitRepository, root Kustomization. */
  rootObjects: K8sObject[];
  rootYaml: string;
  /**
   * Dummy CustomResourceDefinitions (`workload.crds`) to apply, and wait for Established, before
   * the root objects; also in `<storageRoot>/crds.yaml`. Empty when none.
   */
  crds: K8sObject[];
  fluxObjects: FluxObjectRef[];
  /**
   * With `flux.serviceAccountName`: the tenant's ServiceAccount and RoleBindings (tenancyObjects,
   * also in the cluster directory, which applies them). The root does not prune them; a run on a
   * borrowed cluster deletes them once the Kustomizations and HelmReleases impersonating them are
   * gone. Empty without it.
   */
  tenancy: K8sObject[];
  /** Fleet mode: the spokes (spokeNames), each the hub namespace of its Flux objects; absent without fleet. */
  spokes?: string[];
  /** Fleet mode: the team namespaces each spoke's `infrastructure` applies there (every team, with apps or only releases); absent without fleet. */
  spokeNamespaces?: string[];
  apps: GeneratedApp[];
  graph: GraphTruth;
  graphPath: string;
  /**
   * With `source: oci`: the artifacts to publish (which directory of which repo each carries)
   * and, when HelmReleases pull the chart from the registry, the packaged chart to `helm push`.
   */
  oci?: OciPlan & { chartPackage?: string };
  /** Set when a Helm repository was published under `<storageRoot>/pages/`. */
  pages?: { owner: string; repo: string; dir: string; url: string };
  /**
   * `ConfigMap/<ns>/<name>` → id of the Kustomization whose manifests create it, for the
   * ConfigMaps a HelmRelease reads values from (the diagnosis's producer hints).
   */
  configMapProducers?: Record<string, string>;
  /** Wall time of the generation. */
  durationMs: number;
}

/**
 * Who creates the ConfigMaps HelmReleases read values from. Before the creator has ever applied,
 * nothing in the cluster says it (no inventory, no label), yet a diagnosis needs it to see a
 * cycle that runs through such a ConfigMap.
 */
export function configMapProducers(plan: WorkloadPlan): Record<string, string> {
  const wanted = new Set(plan.helmReleases.flatMap((hr) => (hr.valuesFromConfigMap ? [`ConfigMap/${hr.namespace}/${hr.valuesFromConfigMap}`] : [])));
  const producers: Record<string, string> = {};
  if (wanted.size === 0) return producers;
  for (const unit of plan.units) {
    for (const content of renderUnitFiles(plan, unit).values()) {
      if (!content.includes('ConfigMap')) continue;
      for (const doc of parseAllDocuments(content)) {
        const object = doc.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string } } | null;
        if (object?.kind !== 'ConfigMap' || !object.metadata?.name) continue;
        const id = `ConfigMap/${object.metadata.namespace ?? unit.targetNamespace}/${object.metadata.name}`;
        if (wanted.has(id)) producers[id] = unit.id;
      }
    }
  }
  return producers;
}

export function repoPath(storageRoot: string, owner: string, name: string): string {
  return join(storageRoot, owner, `${name}.git`);
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Writes one repo's full history; resolves with its head SHA. */
export async function writeRepo(plan: WorkloadPlan, repoName: string, gitDir: string): Promise<{ headSha: string; commits: number }> {
  const repo = plan.repos.find((r) => r.name === repoName);
  if (!repo) throw new FluxbenchError(`no repo ${repoName} in the workload plan`);
  await initBareRepo(gitDir);
  let commits = 0;
  const result = await runFastImport(gitDir, async (writer) => {
    commits = (await writeRepoHistory(plan, repo, writer)).commits;
  });
  const headSha = result.output.at(-1);
  if (!headSha || !/^[0-9a-f]{40}$/.test(headSha)) throw new FluxbenchError(`git fast-import in ${gitDir} did not report the head commit`);
  return { headSha, commits };
}

/**
 * Generates a synthetic Flux workload: plans it (pure, seeded), writes every repository as a
 * bare repo under `<storageRoot>/<owner>/<repo>.git` with `git fast-import` (history, churnable
 * apps, the injected faults' manifests), and renders the root objects Flux starts from
 * (namespaces, Git Secrets, GitRepositories, Kustomizations, HelmReleases) pointing at
 * `context.gitBaseUrl`.
 *
 * Starts: `git fast-import` then `git repack -a -d -b` per repo, `context.concurrency` repos at a
 * time (default 2), each waited for.
 * Leaves on disk: the bare repos, each one pack with a reachability bitmap and kept packed on later
 * pushes (they are the fake GitHub's storage when run by the runner); root.yaml.
 * Returns: the plan, the repos with their head commits, the root objects as YAML and as
 * objects, the dependency graph's ground truth, and the generation time in ms.
 * Throws: UsageError on invalid options, a non-http(s) base URL, repos that exist without
 * `overwrite`; FluxbenchError when git fails.
 */
export async function generateWorkload(input: GeneratorOptionsInput | GeneratorOptions, context: GenerateContext): Promise<GeneratedWorkload> {
  const started = performance.now();
  const options = parseGeneratorOptions(input);
  if (!/^https?:\/\/[^/]+/.test(context.gitBaseUrl)) {
    throw new UsageError(`gitBaseUrl "${context.gitBaseUrl}" must be an http(s) URL such as http://127.0.0.1:8080`);
  }
  const plan = planWorkload(options, context.gitBaseUrl, context.ociBaseUrl, context.registryCaPem !== undefined);
  mkdirSync(context.storageRoot, { recursive: true });

  for (const repo of plan.repos) {
    const path = repoPath(context.storageRoot, repo.owner, repo.name);
    if (!existsSync(path)) continue;
    if (!context.overwrite) throw new UsageError(`${path} already exists; pass overwrite (--overwrite) to replace generated repos`);
    rmSync(path, { recursive: true, force: true });
  }

  let finished = 0;
  const repos = await mapLimit(plan.repos, context.concurrency ?? 2, async (repo): Promise<GeneratedRepo> => {
    const path = repoPath(context.storageRoot, repo.owner, repo.name);
    mkdirSync(join(context.storageRoot, repo.owner), { recursive: true });
    const { headSha, commits } = await writeRepo(plan, repo.name, path);
    await packRepository(path);
    const generated = { owner: repo.owner, name: repo.name, fullName: repo.fullName, path, url: repo.url, headSha, commits, bytes: directoryBytes(path) };
    context.onRepo?.(generated, ++finished, plan.repos.length);
    return generated;
  });

  let pages: GeneratedWorkload['pages'];
  if (plan.pages) {
    const dir = join(context.storageRoot, 'pages', plan.pages.owner, plan.pages.repo);
    mkdirSync(dir, { recursive: true });
    const created = commitTime(options.seed, 0);
    const chart = packageChart(created);
    writeFileSync(join(dir, chart.fileName), chart.tgz);
    writeFileSync(join(dir, 'index.yaml'), helmIndex(chart, created));
    pages = { ...plan.pages, dir };
  }

  let oci: GeneratedWorkload['oci'];
  if (plan.oci) {
    oci = { ...plan.oci };
    if (plan.oci.chart) {
      const dir = join(context.storageRoot, 'oci-charts');
      mkdirSync(dir, { recursive: true });
      const chart = packageChart(commitTime(options.seed, 0));
      oci.chartPackage = join(dir, chart.fileName);
      writeFileSync(oci.chartPackage, chart.tgz);
    }
  }

  const fleetHeadSha = repos.find((r) => r.fullName === plan.fleet.fullName)?.headSha;
  const roots = rootObjects(plan, { ...context, ...(fleetHeadSha ? { fleetHeadSha } : {}) });
  const graphPath = join(context.storageRoot, 'graph.json');
  writeGraphTruth(graphPath, plan.graph);
  const workload: GeneratedWorkload = {
    seed: options.seed,
    storageRoot: context.storageRoot,
    gitBaseUrl: plan.gitBaseUrl,
    repos,
    rootObjects: roots,
    rootYaml: toYaml(roots),
    crds: dummyCrds(options.crds, options.crdSchemaSize),
    fluxObjects: fluxObjectRefs(plan),
    tenancy: tenancyObjects(plan),
    ...(plan.spokes ? { spokes: [...plan.spokes.names], spokeNamespaces: [...plan.teams] } : {}),
    apps: plan.units.map((u) => ({
      name: u.name,
      variant: u.variant,
      team: u.team,
      namespace: u.targetNamespace,
      repo: u.repo,
      dir: u.dir,
      kustomization: plan.spokes ? spokeObjectId(u.id, plan.spokes.names[0]!) : u.id,
      churnable: u.churnable,
    })),
    graph: plan.graph,
    graphPath,
    ...(oci ? { oci } : {}),
    pages,
    configMapProducers: configMapProducers(plan),
    durationMs: performance.now() - started,
  };
  writeFileSync(join(context.storageRoot, 'root.yaml'), workload.rootYaml);
  if (workload.crds.length > 0) writeFileSync(join(context.storageRoot, 'crds.yaml'), toYaml(workload.crds));
  else rmSync(join(context.storageRoot, 'crds.yaml'), { force: true });
  // The CRDs as the options that make them, not themselves: 500 with large schemas are 65 MB of JSON (crds.yaml has them whole).
  const crdOptions = { count: options.crds, ...(options.crdSchemaSize !== undefined ? { schemaBytes: options.crdSchemaSize } : {}) };
  writeFileSync(join(context.storageRoot, 'workload.json'), `${JSON.stringify({ ...workload, graph: undefined, crds: undefined, crdOptions }, null, 2)}\n`);
  return workload;
}

/** Reads `workload.json` (and graph.json beside it) written by generateWorkload. */
export function loadGeneratedWorkload(storageRoot: string): GeneratedWorkload {
  const path = join(storageRoot, 'workload.json');
  let raw: Omit<GeneratedWorkload, 'graph' | 'crds' | 'tenancy'> & { crds?: K8sObject[]; crdOptions?: { count: number; schemaBytes?: number }; tenancy?: K8sObject[] };
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as typeof raw;
  } catch (err) {
    throw new UsageError(`${path}: cannot read the generated workload (run fluxbench generate first): ${(err as Error).message}`);
  }
  if (!Array.isArray(raw.repos) || !Array.isArray(raw.apps)) throw new UsageError(`${path}: not a fluxbench workload.json (no repos/apps)`);
  const graph = loadGraphTruth(raw.graphPath ?? join(storageRoot, 'graph.json'));
  // Written before workload.crds or workload.tenancy existed: none. Written with the CRDs whole (before crdOptions): those.
  const { crdOptions, ...rest } = raw;
  const crds = raw.crds ?? (crdOptions ? dummyCrds(crdOptions.count, crdOptions.schemaBytes) : []);
  return { ...rest, crds, tenancy: raw.tenancy ?? [], graph };
}
