import { join } from 'node:path';
import type { StartedFakeGitHub } from '../../github/index.ts';
import { sourceKind, type StartedSourceHost } from '../../sources/index.ts';
import { FluxbenchError } from '../../util/exit-codes.ts';
import type { RunContext } from '../context.ts';

/**
 * The source host of the scenario's source kind (`workload.source`) on 127.0.0.1: the fake GitHub
 * for Git, storing under <runDir>/github; for OCI the fake GitHub and the registry, under
 * <runDir>/oci/{git,registry}. Stopped at teardown.
 */
export async function sourcePhase(ctx: RunContext): Promise<{ host: StartedSourceHost; github: StartedFakeGitHub }> {
  const kind = sourceKind(ctx.scenario.workload.source);
  const host = await kind.start({
    host: ctx.scenario.github,
    registry: ctx.scenario.registry,
    // Fleet mode is the generator's too (per-spoke objects), declared at the scenario's top level.
    workload: { ...ctx.scenario.workload, ...(ctx.scenario.fleet ? { fleet: ctx.scenario.fleet } : {}) },
    storageRoot: join(ctx.runDir, kind.name === 'git' ? 'github' : kind.name),
    sink: ctx.sink,
    binaries: ctx.toolchain.binaries,
    onPid: (pid, name) => ctx.registry.addProcessGroup(pid, name),
    signal: ctx.interrupted,
  });
  ctx.teardown.defer('source host', () => host.stop());
  // The timeline's GitHub faults and the webhook Receivers act on the fake GitHub itself.
  const github = host.targets.github;
  if (!github) throw new FluxbenchError(`source kind ${host.kind} runs no fake GitHub`);
  return { host, github };
}
