import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sample, SampleSink } from '../../../src/metrics/sample.ts';
import { ensureToolchain } from '../../../src/toolchain/index.ts';

let binary: Promise<string> | undefined;

/**
 * The real Distribution registry binary from the toolchain (built once and cached; this waits
 * for a build in progress). Integration tests give their beforeAll up to 20 minutes for it.
 */
export function registryBinary(): Promise<string> {
  binary ??= ensureToolchain({ controllerBinaries: false }).then((toolchain) => {
    const path = toolchain.binaries.registry;
    if (!path) throw new Error('the toolchain has no registry binary');
    return path;
  });
  return binary;
}

export const toolchainTimeoutMs = 20 * 60_000;

export class MemorySink implements SampleSink {
  readonly samples: Sample[] = [];
  write(sample: Sample): void {
    this.samples.push(sample);
  }
}

export function tempDir(prefix = 'fb-registry-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}
