import { Command, CommanderError } from 'commander';
import { ExitCode, FluxbenchError } from '../util/exit-codes.ts';
import { registerSetupCommand } from './setup-command.ts';
import { registerUpCommand } from './up-command.ts';
import { registerRunCommand } from './run-command.ts';
import { registerCleanupCommand } from './cleanup-command.ts';
import { registerValidateCommand } from './validate-command.ts';
import { registerPlanCommand } from './plan-command.ts';
import { registerReportCommand } from './report-command.ts';
import { registerCompareCommand } from './compare-command.ts';
import { registerDiagnoseCommand } from './diagnose-command.ts';
import { registerGithubCommand } from './github-command.ts';
import { registerRegistryCommand } from './registry-command.ts';
import { registerFluxCommand } from './flux-command.ts';
import { registerGenerateCommand } from './generate-command.ts';
import { registerFluxManifestsCommand } from './flux-manifests-command.ts';
import { registerSizingCommand } from './sizing-command.ts';
import { registerAbCommand } from './ab-command.ts';

export function buildProgram(): Command {
  const program = new Command('fluxbench')
    .description('load-test and chaos harness for Flux GitOps on a real local Kubernetes')
    .exitOverride()
    .showHelpAfterError();
  registerSetupCommand(program);
  registerUpCommand(program);
  registerRunCommand(program);
  registerCleanupCommand(program);
  registerValidateCommand(program);
  registerPlanCommand(program);
  registerReportCommand(program);
  registerCompareCommand(program);
  registerDiagnoseCommand(program);
  registerGithubCommand(program);
  registerRegistryCommand(program);
  registerFluxCommand(program);
  registerGenerateCommand(program);
  registerFluxManifestsCommand(program);
  registerSizingCommand(program);
  registerAbCommand(program);
  return program;
}

/** Runs the CLI; returns the process exit code (documented per failure class in ExitCode). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (err instanceof FluxbenchError) {
      console.error(`fluxbench: ${err.message}`);
      return err.exitCode;
    }
    console.error(err);
    return ExitCode.runError;
  }
}
