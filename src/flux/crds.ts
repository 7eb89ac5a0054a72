import { execa } from 'execa';
import { FluxbenchError } from '../util/exit-codes.ts';

/** Applies the controllers' CRDs (server-side: some are larger than the last-applied annotation allows). */
export async function applyCrds(kubectl: string, kubeconfigPath: string, crdDir: string): Promise<void> {
  const env = { ...process.env, KUBECONFIG: kubeconfigPath };
  const applied = await execa(kubectl, ['apply', '--server-side', '--force-conflicts', '-f', crdDir], { env, reject: false, all: true });
  if (applied.exitCode !== 0) throw new FluxbenchError(`applying the Flux CRDs from ${crdDir} failed:\n${applied.all}`);
  const established = await execa(kubectl, ['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all'], {
    env,
    reject: false,
    all: true,
  });
  if (established.exitCode !== 0) throw new FluxbenchError(`the Flux CRDs did not become Established:\n${established.all}`);
  await execa(kubectl, ['create', 'namespace', 'flux-system'], { env, reject: false });
}
