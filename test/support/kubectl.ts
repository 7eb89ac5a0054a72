import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, defaultVersions } from '../../src/toolchain/index.ts';

/**
 * The kubectl unit tests use: $KUBECTL, else the toolchain's (built by `fluxbench setup`, which
 * CI runs before the tests), else whatever `kubectl` is on PATH.
 */
export function testKubectl(): string {
  const fromToolchain = join(cacheRoot(), `kubernetes-v${defaultVersions.kubernetes}`, 'bin', 'kubectl');
  return process.env.KUBECTL ?? (existsSync(fromToolchain) ? fromToolchain : 'kubectl');
}
