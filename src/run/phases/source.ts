import { join } from 'node:path';
import type { StartedFakeGitHub } from '../../github/index.ts';
import { sourceKind, type StartedSourceHost } from '../../sources/index.ts';
import { FluxbenchError } from '../../util/exit-codes.ts';
import type { RunContext } from '../context.ts';

/**
 * The source host of the scenario's source kind on 127.0.0.1 (the fake GitHub for Git), what it
 * serves under <runDir>/github; stopped at teardown.
 */
export async function sourcePhase(ctx: RunContext): Promise<{ host: StartedSourceHost; github: StartedFakeGitHub }> {
  const host = await sourceKind('git').start({ host: ctx.scenario.github, workload: ctx.scenario.workload, storageRoot: join(ctx.runDir, 'github'), sink: ctx.sink });
  ctx.teardown.defer('source host', () => host.stop());
  // The timeline's GitHub faults and the webhook Receivers act on the fake GitHub itself.
  const github = host.targets.github;
  if (!github) throw new FluxbenchError(`source kind ${host.kind} runs no fake GitHub`);
  return { host, github };
}
