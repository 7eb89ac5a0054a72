import { execa } from 'execa';

/** Runs kubectl against one cluster; resolves with stdout, rejects with kubectl's stderr. */
export type Kubectl = (args: string[], input?: string) => Promise<string>;

export function kubectlFor(kubectlBinary: string, kubeconfigPath: string): Kubectl {
  return async (args, input) =>
    (await execa(kubectlBinary, args, { env: { ...process.env, KUBECONFIG: kubeconfigPath }, ...(input !== undefined ? { input } : {}) })).stdout;
}
