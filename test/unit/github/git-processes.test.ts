import { describe, expect, it } from 'vitest';
import { GitProcesses, parsePackStats, parseTimes } from '../../../src/github/git-processes.ts';

describe('the cost of a git child', () => {
  it("reads the children's CPU from the shell's `times` (dash and bash formats)", () => {
    expect(parseTimes('0m0.000000s 0m0.000000s\n0m1.800000s 0m1.130000s\n')).toBeCloseTo(2.93, 9);
    expect(parseTimes('0m0.001s 0m0.000s\n1m2.500s 0m0.250s\n')).toBeCloseTo(62.75, 9);
    expect(parseTimes('')).toBeUndefined();
  });

  it("reads pack-objects' summary line", () => {
    expect(parsePackStats('Total 417 (delta 39), reused 60 (delta 0), pack-reused 257')).toEqual({ objects: 417, deltas: 39, reused: 60, reusedDeltas: 0, packReused: 257 });
    expect(parsePackStats('Total 3 (delta 0), reused 0 (delta 0)')).toMatchObject({ objects: 3, packReused: 0 });
    expect(parsePackStats('fatal: something')).toBeUndefined();
  });

  it('measures a real git command: wall time, CPU of it and its children, exit code', async () => {
    const processes = new GitProcesses();
    try {
      const run = processes.run(['--version']);
      const usage = await run.usage;
      expect(usage.exitCode).toBe(0);
      expect(usage.wallSeconds).toBeGreaterThan(0);
      expect(usage.cpuSeconds).toBeGreaterThanOrEqual(0);
      expect(run.output()).toMatch(/^git version /);
      const failed = await processes.run(['no-such-command']).usage;
      expect(failed.exitCode).not.toBe(0);
      expect(processes.running).toBe(0);
    } finally {
      await processes.stop();
    }
  });
});
