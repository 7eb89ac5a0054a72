import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { registerGenerateCommand } from '../../../src/cli/generate-command.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';
import { git, tempDir } from './helpers.ts';

const dir = tempDir('generate-cli');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function program(): Command {
  const p = new Command('fluxbench').exitOverride();
  p.configureOutput({ writeErr: () => undefined });
  registerGenerateCommand(p);
  return p;
}

describe('fluxbench generate', () => {
  it('generates from a scenario file, with flags overriding it', async () => {
    const scenario = join(dir, 'scenario.yaml');
    writeFileSync(scenario, 'name: x\nworkload:\n  apps: 3\n  teams: 1\n  history:\n    commits: 2\n');
    const out = join(dir, 'storage');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await program().parseAsync(['generate', '-c', scenario, '-o', out, '--apps', '4', '--commits', '5', '--git-base-url', 'http://127.0.0.1:9'], { from: 'user' });
      expect(log.mock.calls.flat().join('\n')).toMatch(/generated 1 repo\(s\)/);
    } finally {
      log.mockRestore();
    }
    const fleet = join(out, 'fluxbench', 'fleet.git');
    expect(git(['rev-list', '--count', 'main'], fleet).trim()).toBe('5');
    const workload = JSON.parse(readFileSync(join(out, 'workload.json'), 'utf8'));
    expect(workload.apps).toHaveLength(4);
    expect(workload.repos[0].url).toBe('http://127.0.0.1:9/fluxbench/fleet.git');
  });

  it('--render-only prints manifests without writing any repo', async () => {
    const out = join(dir, 'render-only');
    const chunks: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
    try {
      await program().parseAsync(['generate', '--render-only', '1', '--apps', '2', '-o', out], { from: 'user' });
    } finally {
      write.mockRestore();
    }
    const objects = parseAllDocuments(chunks.join('')).map((d) => d.toJS());
    expect(objects.filter((o) => o.kind === 'Kustomization')).toHaveLength(3);
    expect(objects.filter((o) => o.kind === 'Deployment')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });

  it('--source oci renders OCIRepositories at --oci-base-url, per team with --oci-layout, and says what to push', async () => {
    const chunks: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
    try {
      await program().parseAsync(['generate', '--render-only', '0', '--apps', '3', '--teams', '2', '--source', 'oci', '--oci-layout', 'per-team', '--oci-base-url', 'oci://127.0.0.1:5999'], { from: 'user' });
    } finally {
      write.mockRestore();
    }
    const objects = parseAllDocuments(chunks.join('')).map((d) => d.toJS());
    expect(objects.filter((o) => o.kind === 'OCIRepository').map((o) => o.spec.url)).toEqual([
      'oci://127.0.0.1:5999/fluxbench/fleet',
      'oci://127.0.0.1:5999/fluxbench/teams/team-1',
      'oci://127.0.0.1:5999/fluxbench/teams/team-2',
    ]);
    expect(objects.filter((o) => o.kind === 'GitRepository')).toEqual([]);

    const out = join(dir, 'oci');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await program().parseAsync(['generate', '-o', out, '--apps', '2', '--source', 'oci'], { from: 'user' });
      expect(log.mock.calls.flat().join('\n')).toMatch(/OCI artifacts \(3\) to push under oci:\/\/127\.0\.0\.1:5000, tag latest/);
    } finally {
      log.mockRestore();
    }
    await expect(program().parseAsync(['generate', '--source', 'svn', '-o', join(dir, 'never')], { from: 'user' })).rejects.toThrow(/Allowed choices are git, oci/);
  });

  it('turns bad options into a UsageError naming the file field', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apps: 2\ngraph:\n  faults:\n    cycles: [3]\n');
    await expect(program().parseAsync(['generate', '-c', bad, '-o', join(dir, 'never')], { from: 'user' })).rejects.toThrow(UsageError);
    await expect(program().parseAsync(['generate', '-c', bad, '-o', join(dir, 'never')], { from: 'user' })).rejects.toThrow(/graph\.faults\.cycles\.0: a 3-cycle/);
    await expect(program().parseAsync(['generate', '-c', join(dir, 'absent.yaml')], { from: 'user' })).rejects.toThrow(/absent\.yaml: cannot read/);
    await expect(program().parseAsync(['generate', '--shape', 'star'], { from: 'user' })).rejects.toThrow(/Allowed choices are none, chain, fan-out, fan-in, random/);
    await expect(program().parseAsync(['generate', '--apps', 'many'], { from: 'user' })).rejects.toThrow(/--apps expects a whole number of 0 or more, got "many"/);
  });
});
