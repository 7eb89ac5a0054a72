import { execa } from 'execa';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FluxControllersConfig } from '../../src/flux/index.ts';
import { RunRegistry, startWatchdog } from '../../src/lifecycle/index.ts';
import type { SampleSink } from '../../src/metrics/sample.ts';
import { startEnvironment, type Environment } from '../../src/providers/index.ts';
import type { Toolchain } from '../../src/toolchain/index.ts';
import { newRunId } from '../../src/util/run-id.ts';

/** kubectl of the toolchain against one cluster. */
export function kubectl(toolchain: Toolchain, kubeconfigPath: string) {
  return async (args: string[], input?: string): Promise<string> => {
    const result = await execa(toolchain.binaries.kubectl!, args, {
      env: { ...process.env, KUBECONFIG: kubeconfigPath },
      ...(input !== undefined ? { input } : {}),
    });
    return result.stdout;
  };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** A working clone that pushes through the fake GitHub with real git. */
export async function workingClone(remoteUrl: string): Promise<{
  dir: string;
  commit(files: Record<string, string>, message: string): Promise<string>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'fb-e2e-work-'));
  const git = (args: string[]) => execa('git', args, { cwd: dir });
  await git(['init', '-q', '-b', 'main']);
  await git(['config', 'user.name', 'fluxbench e2e']);
  await git(['config', 'user.email', 'e2e@fluxbench.local']);
  await git(['remote', 'add', 'origin', remoteUrl]);
  return {
    dir,
    async commit(files, message) {
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), content);
      }
      await git(['add', '-A']);
      await git(['commit', '-q', '-m', message]);
      await git(['push', '-q', 'origin', 'main']);
      return (await git(['rev-parse', 'HEAD'])).stdout.trim();
    },
  };
}

export interface FluxObjectStatus {
  ready?: { status: string; reason?: string; message?: string };
  lastAppliedRevision?: string;
  artifactRevision?: string;
}

export async function fluxStatus(run: (args: string[]) => Promise<string>, resource: string, namespace: string, name: string): Promise<FluxObjectStatus> {
  const obj = JSON.parse(await run(['get', resource, '-n', namespace, name, '-o', 'json'])) as {
    status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>; lastAppliedRevision?: string; artifact?: { revision?: string } };
  };
  const ready = obj.status?.conditions?.find((c) => c.type === 'Ready');
  return {
    ...(ready ? { ready } : {}),
    ...(obj.status?.lastAppliedRevision ? { lastAppliedRevision: obj.status.lastAppliedRevision } : {}),
    ...(obj.status?.artifact?.revision ? { artifactRevision: obj.status.artifact.revision } : {}),
  };
}

/**
 * A local cluster with Flux for one test file, registered with a run registry and watchdog
 * like a real run (so even a crashed test leaves nothing behind); stop() also ends the record.
 */
export async function startTestEnvironment(
  toolchain: Toolchain,
  options: { runDir?: string; nodes?: number; controllers?: FluxControllersConfig; sink?: SampleSink; artifactProxy?: boolean } = {},
): Promise<Environment> {
  const runId = newRunId();
  const registry = new RunRegistry(toolchain.cacheRoot, runId);
  startWatchdog(registry);
  try {
    const env = await startEnvironment({
      toolchain,
      runId,
      runDir: options.runDir ?? mkdtempSync(join(tmpdir(), 'fb-e2e-env-')),
      nodes: options.nodes ?? 1,
      sink: options.sink ?? { write: () => {} },
      registry,
      ...(options.controllers ? { controllers: options.controllers } : {}),
      ...(options.artifactProxy ? { artifactProxy: true } : {}),
    });
    return {
      ...env,
      stop: async () => {
        await env.stop();
        registry.remove();
      },
    };
  } catch (err) {
    registry.remove();
    throw err;
  }
}
