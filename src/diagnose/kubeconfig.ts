import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { UsageError } from '../util/exit-codes.ts';

/** Loads a kubeconfig (a file, or the default $KUBECONFIG / ~/.kube/config) and selects a context. */
export function loadKubeConfig(options: { kubeconfig?: string; context?: string } = {}): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (options.kubeconfig) {
    if (!existsSync(options.kubeconfig)) throw new UsageError(`--kubeconfig ${options.kubeconfig}: file not found`);
    try {
      kubeConfig.loadFromFile(options.kubeconfig);
    } catch (err) {
      throw new UsageError(`--kubeconfig ${options.kubeconfig}: not a valid kubeconfig: ${(err as Error).message}`);
    }
  } else {
    kubeConfig.loadFromDefault();
  }
  if (options.context) {
    const names = kubeConfig.getContexts().map((c) => c.name);
    if (!names.includes(options.context)) {
      throw new UsageError(`--context ${options.context}: no such context; available: ${names.join(', ') || '(none)'}`);
    }
    kubeConfig.setCurrentContext(options.context);
  }
  if (!kubeConfig.getCurrentCluster()) {
    throw new UsageError('no current cluster in the kubeconfig: pass --kubeconfig <path> and/or --context <name>');
  }
  return kubeConfig;
}
