import { Command } from 'commander';
import { UsageError } from '../util/exit-codes.ts';
import { parseDuration } from '../util/units.ts';
import { collectFluxState, diagnose, diagnosisFound, loadKubeConfig, loadProducerHints, renderDiagnosisText } from '../diagnose/index.ts';

function collectNamespace(value: string, previous: string[]): string[] {
  const names = value.split(',').map((n) => n.trim()).filter(Boolean);
  for (const name of names) {
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) {
      throw new UsageError(`--namespace ${name}: not a namespace name (lowercase letters, digits and "-", at most 63 characters)`);
    }
  }
  return [...previous, ...names];
}

function durationOption(flag: string, value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new UsageError(`${flag}: ${(err as Error).message}`);
  }
}

/**
 * `fluxbench diagnose`: read-only explanation of stuck Flux reconciliations on any cluster.
 * Exit 0 when nothing is stuck, 1 when something is stuck, a dependency cycle exists or a dependency is missing.
 */
export function registerDiagnoseCommand(program: Command): void {
  program
    .command('diagnose')
    .description('explain stuck Flux reconciliations: dependency cycles, missing dependencies and the chain to each root cause (read-only)')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current context)')
    .option('-n, --namespace <namespace>', 'only these namespaces; repeat or comma-separate (default: all)', collectNamespace, [] as string[])
    .option('--json', 'print the diagnosis as JSON')
    .option('--timeout <duration>', 'give up reading the cluster after this long (e.g. 90s, 2m)', '2m')
    .option('--stale-after <duration>', 'an object Ready at an older revision than its source serves, or a reconcile request not handled, counts as stuck after this long (e.g. 60s, 5m)', '2m')
    .option('--producers <file>', 'JSON map of ConfigMap/ns/name → the Kustomization/HelmRelease that creates it (finds cycles through objects never applied)')
    .action(async (opts: { kubeconfig?: string; context?: string; namespace: string[]; json?: boolean; producers?: string; timeout: string; staleAfter: string }) => {
      const timeoutMs = durationOption('--timeout', opts.timeout);
      const graceMs = durationOption('--stale-after', opts.staleAfter);
      const producerHints = opts.producers ? loadProducerHints(opts.producers) : undefined;
      const kubeConfig = loadKubeConfig({
        ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
        ...(opts.context ? { context: opts.context } : {}),
      });
      const state = await collectFluxState(kubeConfig, {
        ...(opts.namespace.length > 0 ? { namespaces: opts.namespace } : {}),
        ...(producerHints ? { producerHints } : {}),
        timeoutMs,
      });
      const diagnosis = diagnose(state, new Date(state.collectedAt), { graceMs });
      process.stdout.write(opts.json ? `${JSON.stringify(diagnosis, null, 2)}\n` : renderDiagnosisText(diagnosis));
      if (diagnosisFound(diagnosis)) process.exitCode = 1;
    });
}
