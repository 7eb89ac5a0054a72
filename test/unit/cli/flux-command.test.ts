import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKubeconfig } from '../../../src/cli/flux-command.ts';

describe('fluxbench flux: finding the run cluster', () => {
  it('finds the local provider kubeconfig in a run folder, or takes a kubeconfig file', () => {
    const run = mkdtempSync(join(tmpdir(), 'fb-flux-cmd-'));
    mkdirSync(join(run, 'cluster'));
    writeFileSync(join(run, 'cluster', 'kubeconfig'), 'apiVersion: v1\n');
    expect(runKubeconfig(run)).toBe(join(run, 'cluster', 'kubeconfig'));
    expect(runKubeconfig(join(run, 'cluster', 'kubeconfig'))).toBe(join(run, 'cluster', 'kubeconfig'));
  });

  it('names what it looked for when the folder has no kubeconfig', () => {
    const empty = mkdtempSync(join(tmpdir(), 'fb-flux-cmd-'));
    expect(() => runKubeconfig(empty)).toThrow(/no kubeconfig in this folder \(looked for .*cluster\/kubeconfig, .*kubeconfig\)/);
    expect(() => runKubeconfig(join(empty, 'missing'))).toThrow(/no such run folder or kubeconfig/);
  });
});
