import { execa } from 'execa';
import { serviceProxyMetricsUrl } from '../cluster/kubectl-proxy.ts';
import type { ControllerTarget } from '../metrics/measurement.ts';
import { FluxbenchError } from '../util/exit-codes.ts';
import { fluxInstallYaml, type FluxInstall, type PodControllerInstance } from './manifests.ts';

export interface InstallFluxOptions {
  kubectl: string;
  kubeconfigPath: string;
  manifests: FluxInstall;
  /** Bound for the CRDs to be Established and for each Deployment to be Available. */
  timeoutMs?: number;
  /** `server`: the CRDs are applied for real (the rest cannot be validated without them), the rest only as a server-side dry run. */
  dryRun?: 'server';
}

/** One kubectl invocation of the install, with the YAML it reads from stdin. */
export interface KubectlStep {
  args: string[];
  input?: string;
  what: string;
}

/** The kubectl steps of an install, in order: pure, so tests can read them. */
export function fluxInstallSteps(options: Pick<InstallFluxOptions, 'manifests' | 'timeoutMs' | 'dryRun'>): KubectlStep[] {
  const timeout = `--timeout=${Math.max(1, Math.ceil((options.timeoutMs ?? 300_000) / 1000))}s`;
  const { manifests } = options;
  // Server-side apply: the Flux CRDs are larger than the client-side last-applied annotation allows.
  const apply = ['apply', '--server-side', '--force-conflicts', '--field-manager=fluxbench', '-f', '-'];
  const steps: KubectlStep[] = [
    { what: 'apply the Flux CRDs', args: apply, input: fluxInstallYaml({ crds: manifests.crds, objects: [] }) },
    {
      what: 'wait for the Flux CRDs to be Established',
      args: ['wait', '--for=condition=Established', timeout, ...manifests.crds.map((c) => `crd/${c.metadata.name}`)],
    },
  ];
  if (options.dryRun === 'server') {
    steps.push({ what: 'dry-run the Flux install', args: [...apply, '--dry-run=server'], input: fluxInstallYaml({ crds: [], objects: manifests.objects }) });
    return steps;
  }
  steps.push({ what: 'apply the Flux install', args: apply, input: fluxInstallYaml({ crds: [], objects: manifests.objects }) });
  for (const instance of manifests.instances) {
    steps.push({
      what: `wait for deployment ${instance.namespace}/${instance.deployment} to be Available`,
      args: ['-n', instance.namespace, 'rollout', 'status', `deployment/${instance.deployment}`, timeout],
    });
  }
  return steps;
}

/** Installs Flux from rendered manifests and waits until every controller Deployment is Available. */
export async function installFluxFromManifests(options: InstallFluxOptions): Promise<void> {
  const env = { ...process.env, KUBECONFIG: options.kubeconfigPath };
  const killAfterMs = (options.timeoutMs ?? 300_000) + 30_000;
  for (const step of fluxInstallSteps(options)) {
    const result = await execa(options.kubectl, step.args, {
      env,
      reject: false,
      all: true,
      timeout: killAfterMs,
      ...(step.input !== undefined ? { input: step.input } : {}),
    });
    if (result.exitCode !== 0 || result.timedOut) {
      const output = (result.all ?? '').trimEnd().split('\n').slice(-20).join('\n');
      throw new FluxbenchError(`${step.what} failed (kubectl ${step.args.join(' ')}; exit ${result.exitCode ?? 'timeout'}):\n${output}`);
    }
  }
}

/** Scrape targets for pod controllers: metrics through the API server's service proxy, so no pod IP must be routable. */
export function podControllerTargets(proxyUrl: string, instances: PodControllerInstance[]): ControllerTarget[] {
  return instances.map((i) => ({
    controller: i.controller,
    ...(i.shard ? { shard: i.shard } : {}),
    metricsUrl: serviceProxyMetricsUrl(proxyUrl, i.namespace, i.metricsService),
  }));
}
