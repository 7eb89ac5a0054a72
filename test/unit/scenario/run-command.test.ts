import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerRunCommand } from '../../../src/cli/run-command.ts';
import { ScenarioError } from '../../../src/scenario/index.ts';

// Only the refusals: they happen before anything is provisioned.
async function run(...args: string[]): Promise<unknown> {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerRunCommand(program);
  try {
    await program.parseAsync(['run', ...args], { from: 'user' });
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('run --provider', () => {
  it('accepts only the provider types, naming them', async () => {
    const error = (await run('scenarios/smoke.yaml', '--provider', 'docker')) as { code?: string; message?: string };
    expect(error.code).toBe('commander.invalidArgument');
    expect(error.message).toMatch(/Allowed choices are local, kind, k3s, existing/);
  });

  it('validates the file against the overriding provider before anything starts', async () => {
    const error = await run('scenarios/sharding.yaml', '--provider', 'existing');
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).message).toMatch(/^scenarios\/sharding\.yaml:\d+:\d+: timeline\[\d\]\.action: controller\.kill needs controllers the run starts/);
  });
});
