/**
 * `fluxbench generate`: writes a synthetic workload (bare repos, Helm repository pages,
 * graph.json, root.yaml) into a storage directory, e.g. the fake GitHub's.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parse } from 'yaml';
import { UsageError } from '../util/exit-codes.ts';
import { formatBytes, formatDuration } from '../util/units.ts';
import { defaultOciBaseUrl, generateWorkload, graphShapes, layouts, ociLayouts, renderedManifestSample, workloadSources, type GeneratedWorkload } from '../workload/index.ts';

interface GenerateFlags {
  config?: string;
  out: string;
  gitBaseUrl: string;
  ociBaseUrl: string;
  source?: string;
  ociLayout?: string;
  seed?: number;
  apps?: number;
  teams?: number;
  layout?: string;
  commits?: number;
  shape?: string;
  token?: string;
  overwrite?: boolean;
  json?: boolean;
  /** true when given without a count. */
  renderOnly?: number | true;
}

function wholeNumber(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${flag} expects a whole number of 0 or more, got "${value}"`);
    return Number(value);
  };
}

/** Options from a YAML file: a scenario's `workload:` section, or the options mapping itself. */
export function readOptionsFile(path: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`${path}: cannot read generator options: ${(err as Error).message}`);
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== 'object' || Array.isArray(document)) throw new UsageError(`${path}: expected a mapping of generator options (or a scenario with a workload: section)`);
  const record = document as Record<string, unknown>;
  const section = 'workload' in record ? record.workload : record;
  if (section === null || section === undefined) return {};
  if (typeof section !== 'object' || Array.isArray(section)) throw new UsageError(`${path}: workload: must be a mapping of generator options`);
  return { ...(section as Record<string, unknown>) };
}

function describe(workload: GeneratedWorkload): string {
  const lines = [`generated ${workload.repos.length} repo(s) in ${formatDuration(workload.durationMs)} under ${workload.storageRoot}`];
  for (const repo of workload.repos) {
    lines.push(`  ${repo.fullName}  ${repo.headSha.slice(0, 12)}  ${repo.commits} commits  ${formatBytes(repo.bytes)}  ${repo.url}`);
  }
  const kinds = new Map<string, number>();
  for (const ref of workload.fluxObjects) kinds.set(ref.kind, (kinds.get(ref.kind) ?? 0) + 1);
  lines.push(`  flux objects: ${[...kinds].map(([kind, n]) => `${n} ${kind}`).join(', ')}`);
  const { graph } = workload;
  lines.push(`  graph: ${graph.nodes.length} nodes, ${graph.cycles.length} cycle(s), ${graph.brokenRoots.length} broken root(s), ${graph.missing.length} missing`);
  if (workload.pages) lines.push(`  helm repository: ${workload.pages.url} (${workload.pages.dir})`);
  if (workload.oci) {
    lines.push(`  OCI artifacts (${workload.oci.artifacts.length}) to push under ${workload.oci.baseUrl}, tag ${workload.oci.tag}: e.g. ${workload.oci.artifacts[0]?.repository} from ${workload.oci.artifacts[0]?.sourceRepo}/${workload.oci.artifacts[0]?.dir}`);
    const secretRef = workload.rootObjects.find((o) => o.kind === 'OCIRepository' && (o.spec as { secretRef?: { name: string } }).secretRef);
    if (secretRef) {
      const name = (secretRef.spec as { secretRef: { name: string } }).secretRef.name;
      lines.push(`  pull Secret (not written): kubectl create secret docker-registry ${name} -n ${secretRef.metadata.namespace} --docker-server=${workload.oci.host} --docker-username=<user> --docker-password=<password>`);
    }
    if (workload.oci.chartPackage) lines.push(`  chart to helm push to ${workload.oci.baseUrl}/${workload.oci.chart?.pushPath}: ${workload.oci.chartPackage}`);
  }
  if (workload.crds.length > 0) {
    const crds = resolve(workload.storageRoot, 'crds.yaml');
    lines.push(`  apply the ${workload.crds.length} dummy CRDs first: kubectl apply --server-side -f ${crds} && kubectl wait --for=condition=Established -f ${crds}`);
  }
  lines.push(`  apply the root objects: kubectl apply -f ${resolve(workload.storageRoot, 'root.yaml')}`);
  lines.push(`  graph truth: ${workload.graphPath}`);
  return lines.join('\n');
}

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description('write synthetic Git repos, Flux objects and a dependency graph into a storage directory')
    .option('-c, --config <file>', 'YAML with generator options (a scenario file: its workload: section)')
    .option('-o, --out <dir>', 'storage root: bare repos go to <dir>/<owner>/<repo>.git', '.fluxbench/storage')
    .option('--git-base-url <url>', 'URL Flux clones from (the fake GitHub)', 'http://127.0.0.1:8080')
    .addOption(new Option('--source <kind>', 'where Flux fetches the workload from (workload.source)').choices([...workloadSources]))
    .addOption(new Option('--oci-layout <layout>', 'with --source oci: one artifact per app or per team (workload.oci.layout)').choices([...ociLayouts]))
    .option('--oci-base-url <url>', 'with source oci: the registry OCIRepositories pull from', defaultOciBaseUrl)
    .option('--seed <n>', 'seed (same seed, same trees and commit SHAs)', wholeNumber('--seed'))
    .option('--apps <n>', 'number of apps', wholeNumber('--apps'))
    .option('--teams <n>', 'number of teams', wholeNumber('--teams'))
    .addOption(new Option('--layout <layout>', 'where apps live').choices([...layouts]))
    .option('--commits <n>', 'history commits per repo', wholeNumber('--commits'))
    .addOption(new Option('--shape <shape>', 'dependency graph shape').choices([...graphShapes]))
    .option('--token <token>', 'token the basic-auth Secret carries (with flux.auth: basic)')
    .option('--overwrite', 'replace repos that already exist')
    .option('--json', 'print the generated workload as JSON')
    .option('--render-only [apps]', 'write nothing; print the root objects, every Flux object and the resources of the first [apps] apps (default 3) as YAML, e.g. for kubectl apply --dry-run=server -f -', wholeNumber('--render-only'))
    .action(async (flags: GenerateFlags) => {
      const options: Record<string, unknown> = flags.config ? readOptionsFile(flags.config) : {};
      if (flags.seed !== undefined) options.seed = flags.seed;
      if (flags.apps !== undefined) options.apps = flags.apps;
      if (flags.teams !== undefined) options.teams = flags.teams;
      if (flags.layout !== undefined) options.layout = flags.layout;
      if (flags.source !== undefined) options.source = flags.source;
      const section = (key: string): Record<string, unknown> => {
        const value = options[key];
        return value && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};
      };
      if (flags.commits !== undefined) options.history = { ...section('history'), commits: flags.commits };
      if (flags.shape !== undefined) options.graph = { ...section('graph'), shape: flags.shape };
      if (flags.ociLayout !== undefined) options.oci = { ...section('oci'), layout: flags.ociLayout };
      if (flags.renderOnly !== undefined) {
        const apps = typeof flags.renderOnly === 'number' ? flags.renderOnly : 3;
        process.stdout.write(renderedManifestSample(options, flags.gitBaseUrl, apps, { token: flags.token }, flags.ociBaseUrl).yaml);
        return;
      }
      const workload = await generateWorkload(options, {
        storageRoot: resolve(flags.out),
        gitBaseUrl: flags.gitBaseUrl,
        ociBaseUrl: flags.ociBaseUrl,
        token: flags.token,
        overwrite: flags.overwrite ?? false,
        // Progress goes to stderr so --json output stays parseable.
        onRepo: (repo, done, total) => {
          if (total > 1) process.stderr.write(`  [${done}/${total}] ${repo.fullName}: ${repo.commits} commits, ${formatBytes(repo.bytes)}\n`);
        },
      });
      console.log(flags.json ? JSON.stringify(workload, null, 2) : describe(workload));
    });
}
