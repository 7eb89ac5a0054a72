import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { registerCompareCommand } from '../../../src/cli/compare-command.ts';
import { registerReportCommand } from '../../../src/cli/report-command.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { readSummary, rebuildReports, writeReports, type RunMeta } from '../../../src/report/index.ts';
import { ExitCode, UsageError } from '../../../src/util/exit-codes.ts';
import { NdjsonWriter } from '../../../src/util/ndjson.ts';
import { syntheticRunMeta, syntheticSamples } from './synthetic-run.ts';

const root = mkdtempSync(join(tmpdir(), 'fluxbench-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
});

/** A run directory as the runner leaves it: samples streamed line by line, a torn last line, run.json. */
function makeRunDir(name: string, samples: Sample[], meta: RunMeta): string {
  const dir = join(root, name);
  const writer = new NdjsonWriter<Sample>(join(dir, 'samples.ndjson'));
  for (const s of samples) writer.write(s);
  writer.close();
  appendFileSync(join(dir, 'samples.ndjson'), '{"ts": 17, "kind": "contr');
  writeFileSync(join(dir, 'run.json'), JSON.stringify(meta));
  return dir;
}

function cli(): { program: Command; output: string[] } {
  const output: string[] = [];
  const program = new Command('fluxbench').exitOverride();
  registerReportCommand(program, { write: (text) => output.push(text) });
  registerCompareCommand(program, { write: (text) => output.push(text) });
  return { program, output };
}

describe('writeReports / rebuildReports', () => {
  it('writes the four reports and rebuilds identical ones from the run directory', () => {
    const samples = syntheticSamples();
    const dir = makeRunDir('rebuild', samples, syntheticRunMeta());
    const direct = writeReports(join(root, 'direct'), samples, syntheticRunMeta());
    const rebuilt = rebuildReports(dir);
    for (const path of Object.values(rebuilt.paths)) expect(existsSync(path)).toBe(true);
    expect(rebuilt.summary.run.sampleCount).toBe(samples.length);
    expect(readSummary(rebuilt.paths.summary)).toEqual(direct.summary);
    expect(readFileSync(rebuilt.paths.markdown, 'utf8')).toBe(readFileSync(direct.paths.markdown, 'utf8'));
    expect(readFileSync(rebuilt.paths.junit, 'utf8')).toContain('<testsuite name="fluxbench.synthetic"');
    expect(readFileSync(rebuilt.paths.html, 'utf8')).toContain('id="fluxbench-data"');
  });

  it('names the missing run.json', () => {
    expect(() => rebuildReports(join(root, 'nope'))).toThrow(/nope: run directory does not exist/);
    const dir = makeRunDir('no-meta', [], syntheticRunMeta());
    rmSync(join(dir, 'run.json'));
    expect(() => rebuildReports(dir)).toThrow(UsageError);
    expect(() => rebuildReports(dir)).toThrow(/run\.json: missing/);
  });
});

describe('fluxbench report', () => {
  it('rebuilds the reports and prints the verdict; --check exits with the verdict code', async () => {
    const dir = makeRunDir('cli-report', syntheticSamples(), syntheticRunMeta());
    const { program, output } = cli();
    await program.parseAsync(['node', 'fluxbench', 'report', dir]);
    expect(output.join('')).toMatch(/^20261125-100000-synthetic: failed \(6\/8 thresholds passed/);
    expect(output.join('')).toContain(`wrote ${join(dir, 'report.html')}`);
    expect(process.exitCode).toBeUndefined();
    await cli().program.parseAsync(['node', 'fluxbench', 'report', '--check', dir]);
    expect(process.exitCode).toBe(ExitCode.thresholdsFailed);
  });

  it('rejects a run.json with a bad field', async () => {
    const dir = makeRunDir('cli-bad', [], { ...syntheticRunMeta(), status: 'weird' as RunMeta['status'] });
    await expect(cli().program.parseAsync(['node', 'fluxbench', 'report', dir])).rejects.toThrow(/run\.json: invalid run metadata:\n {2}status:/);
  });
});

describe('fluxbench compare', () => {
  const a = writeReports(join(root, 'cmp-a'), syntheticSamples(1), syntheticRunMeta({ runId: 'a' }));
  const slower = syntheticSamples(1).map((s) => (s.kind === 'lag' && s.name === 'applied' ? { ...s, value: s.value! * 2 } : s));
  const b = writeReports(join(root, 'cmp-b'), slower, syntheticRunMeta({ runId: 'b' }));

  it('exits with ExitCode.regression when the scenario limits are exceeded (run dirs accepted)', async () => {
    const { program, output } = cli();
    await program.parseAsync(['node', 'fluxbench', 'compare', join(root, 'cmp-a'), b.paths.summary]);
    expect(process.exitCode).toBe(ExitCode.regression);
    expect(output.join('')).toContain("limits:   from the current run's scenario");
    expect(output.join('')).toMatch(/✗ lag\.applied\.p95: .* exceeds \+20%/);
  });

  it('--limits replaces the scenario limits; --json prints the comparison', async () => {
    const { program, output } = cli();
    await program.parseAsync(['node', 'fluxbench', 'compare', '--json', '--limits', 'lag.applied.p95=+150%', a.paths.summary, b.paths.summary]);
    expect(process.exitCode).toBeUndefined();
    const json = JSON.parse(output.join(''));
    expect(json).toMatchObject({ regressed: false, limitsSource: 'option', limits: { 'lag.applied.p95': '+150%' } });
    expect(json.results).toHaveLength(1);
  });

  it('fails with a usage error naming a missing or invalid summary', async () => {
    await expect(cli().program.parseAsync(['node', 'fluxbench', 'compare', join(root, 'absent.json'), b.paths.summary])).rejects.toThrow(
      /absent\.json: cannot read summary/,
    );
    const bogus = join(root, 'bogus.json');
    writeFileSync(bogus, JSON.stringify({ schemaVersion: 1, metrics: { x: 'y' } }));
    await expect(cli().program.parseAsync(['node', 'fluxbench', 'compare', bogus, b.paths.summary])).rejects.toThrow(/bogus\.json: not a fluxbench summary/);
  });
});
