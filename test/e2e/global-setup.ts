import type { TestProject } from 'vitest/node';
import { ensureToolchain, formatProgress, type Toolchain } from '../../src/toolchain/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    toolchain: Toolchain;
  }
}

/**
 * The e2e tier stands on the real toolchain: it is built here (once; cached afterwards), never
 * skipped. A machine without Go fails with the toolchain's own message saying what to install.
 */
export default async function setup(project: TestProject): Promise<void> {
  const started = Date.now();
  const toolchain = await ensureToolchain({
    controllers: ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller'],
    progress: (event) => console.log(formatProgress(event)),
  });
  console.log(`e2e toolchain ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  project.provide('toolchain', toolchain);
}
