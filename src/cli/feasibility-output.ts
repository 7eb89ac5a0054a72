/**
 * The machine-dependent half of the feasibility checks, shared by `validate`, `plan` and `run`:
 * this machine's memory and free disk, and findings printed at the field's position in the file.
 */
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { estimateScenario, feasibilityFindings, fieldPosition, formatPath, type FeasibilityFinding, type MachineResources, type Scenario, type ScenarioEstimate } from '../scenario/index.ts';

/** Total memory, and free disk (for an unprivileged user) where `dir` is or would be created. */
export function machineResources(dir: string): MachineResources {
  let existing = resolve(dir);
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  try {
    const fs = statfsSync(existing);
    return { memoryBytes: totalmem(), diskFreeBytes: fs.bavail * fs.bsize };
  } catch {
    return { memoryBytes: totalmem() };
  }
}

export interface ScenarioFeasibility {
  estimate: ScenarioEstimate;
  findings: FeasibilityFinding[];
  /** One line each: `<severity>: <file>:<line>:<col>: <field>: <message>`. */
  lines: string[];
  errors: number;
}

/**
 * Estimates a loaded scenario and checks it against the provider and this machine (`reportsDir`
 * is where the run would write). The provider's hard limits already failed loading; what is
 * left are this machine's figures (an error only for disk) and warnings near any limit.
 */
export function scenarioFeasibility(file: string, scenario: Scenario, reportsDir: string): ScenarioFeasibility {
  const estimate = estimateScenario(scenario);
  const findings = feasibilityFindings(scenario, estimate, machineResources(reportsDir));
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // Positions are a convenience; the field path still says where.
  }
  const lines = findings.map((f) => {
    const at = text ? fieldPosition(text, f.path) : undefined;
    return `${f.severity}: ${file}${at ? `:${at.line}:${at.col}` : ''}: ${formatPath(f.path)}: ${f.message}`;
  });
  return { estimate, findings, lines, errors: findings.filter((f) => f.severity === 'error').length };
}
