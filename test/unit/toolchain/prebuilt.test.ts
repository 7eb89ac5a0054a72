import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binaryEnvVar } from '../../../src/toolchain/cache.ts';
import { kubernetesComponent } from '../../../src/toolchain/components.ts';
import { findPrebuilt } from '../../../src/toolchain/prebuilt.ts';

/** A fake binary that prints a version the way kube-apiserver does. */
function fakeBinary(dir: string, name: string, versionLine: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho "${versionLine}"\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('prebuilt binaries', () => {
  it('names the override variable after the binary', () => {
    expect(binaryEnvVar('kube-apiserver')).toBe('FLUXBENCH_KUBE_APISERVER_BINARY');
  });

  it('uses a binary on PATH only when its version is the one asked for', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-prebuilt-'));
    fakeBinary(dir, 'kube-apiserver', 'Kubernetes v1.34.4');
    const spec = kubernetesComponent('1.34.4');
    const env = { PATH: dir };
    expect(await findPrebuilt('kube-apiserver', spec, env)).toEqual({ path: join(dir, 'kube-apiserver'), source: 'path' });
    // 1.34.40 is not 1.34.4, and 1.33 is not either.
    expect(await findPrebuilt('kube-apiserver', kubernetesComponent('1.34.40'), env)).toBeUndefined();
    expect(await findPrebuilt('kube-apiserver', kubernetesComponent('1.33.4'), env)).toBeUndefined();
  });

  it('prefers the env variable and still checks its version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-prebuilt-'));
    const good = fakeBinary(dir, 'good', 'Kubernetes v1.34.4');
    const bad = fakeBinary(dir, 'bad', 'Kubernetes v1.32.4-dispatcher');
    const spec = kubernetesComponent('1.34.4');
    expect(await findPrebuilt('kubectl', spec, { PATH: '', FLUXBENCH_KUBECTL_BINARY: good })).toEqual({ path: good, source: 'env' });
    expect(await findPrebuilt('kubectl', spec, { PATH: '', FLUXBENCH_KUBECTL_BINARY: bad })).toBeUndefined();
  });
});
