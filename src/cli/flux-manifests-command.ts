import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { defaultFluxNamespace, defaultImageRepository, fluxInstallYaml, installFluxFromManifests, renderFluxInstallManifests } from '../flux/index.ts';
import { enabledControllers, loadScenario, type Scenario } from '../scenario/index.ts';
import { controllerPins, fluxControllersFromScenario } from '../run/index.ts';
import { ensureToolchain, formatProgress, type EnsureToolchainOptions, type Toolchain } from '../toolchain/index.ts';
import { FluxbenchError, UsageError } from '../util/exit-codes.ts';

export interface FluxManifestsCommandDeps {
  /** The toolchain source (the cached build); replaceable so the command can be tried without building. */
  ensureToolchain: (options: EnsureToolchainOptions) => Promise<Toolchain>;
}

interface FluxManifestsOptions {
  namespace: string;
  imageRepository: string;
  output?: string;
  apply?: boolean;
  dryRun?: boolean;
  kubeconfig?: string;
  timeout: string;
}

/**
 * `fluxbench flux-manifests <scenario>`: the Flux install for pod-based clusters (kind, k3s, an
 * existing cluster) with the scenario's controllers, shards and limits; printed, written, or applied.
 */
export function registerFluxManifestsCommand(program: Command, deps: FluxManifestsCommandDeps = { ensureToolchain }): void {
  program
    .command('flux-manifests')
    .description("render the Flux install (CRDs, RBAC, one Deployment per controller instance, metrics Services) for a scenario's controllers")
    .argument('<scenario>', 'scenario YAML file')
    .option('--namespace <name>', 'namespace of the controllers', defaultFluxNamespace)
    .option('--image-repository <repo>', 'registry and path of the controller images', defaultImageRepository)
    .option('-o, --output <file>', 'write the YAML to this file instead of stdout')
    .option('--apply', 'apply to the cluster of --kubeconfig and wait for every Deployment to be Available')
    .option('--dry-run', 'with --apply: apply the CRDs, only dry-run the rest on the server')
    .option('--kubeconfig <file>', 'kubeconfig of the target cluster (with --apply)')
    .option('--timeout <seconds>', 'with --apply: seconds to wait for the CRDs and each Deployment', '300')
    .action(async (scenarioPath: string, opts: FluxManifestsOptions) => {
      const timeoutSeconds = Number(opts.timeout);
      if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 3600) {
        throw new UsageError(`--timeout "${opts.timeout}": a whole number of seconds between 1 and 3600`);
      }
      if ((opts.dryRun || opts.kubeconfig) && !opts.apply) throw new UsageError('--dry-run and --kubeconfig go with --apply');
      if (opts.apply && !opts.kubeconfig) throw new UsageError('--apply needs --kubeconfig <file> naming the target cluster');
      const scenario: Scenario = loadScenario(scenarioPath);
      const toolchain = await deps.ensureToolchain({
        versions: { flux: scenario.toolchain.flux, kubernetes: scenario.toolchain.kubernetes, controllers: controllerPins(scenario) },
        controllers: enabledControllers(scenario.controllers),
        // Pods run the published images: only the CRDs (and kubectl, to apply) are needed.
        controllerBinaries: false,
        progress: (e) => console.error(formatProgress(e)),
      });
      const install = await renderFluxInstallManifests({
        fluxRelease: toolchain.flux,
        crdDir: toolchain.crdDir,
        namespace: opts.namespace,
        controllers: fluxControllersFromScenario(scenario.controllers),
        imageRepository: opts.imageRepository,
      });
      const yaml = fluxInstallYaml(install);
      if (opts.output) await writeFile(opts.output, yaml);
      else if (!opts.apply) process.stdout.write(yaml);
      if (!opts.apply) return;
      const kubectl = toolchain.binaries.kubectl;
      if (!kubectl) throw new FluxbenchError('the toolchain has no kubectl; run `fluxbench setup`');
      await installFluxFromManifests({
        kubectl,
        kubeconfigPath: opts.kubeconfig!,
        manifests: install,
        timeoutMs: timeoutSeconds * 1000,
        ...(opts.dryRun ? { dryRun: 'server' as const } : {}),
      });
      console.error(
        opts.dryRun
          ? `the API server accepts the Flux install (${install.instances.length} controller instances, dry run)`
          : `Flux installed in ${install.namespace}: ${install.instances.map((i) => i.deployment).join(', ')}`,
      );
    });
}
