import { describe, expect, it } from 'vitest';
import { checkSpokeNames, maxSpokeNameLength, spokeClusterName } from '../../../src/fleet/index.ts';
import { spokeNames } from '../../../src/workload/index.ts';
import { scenarioRunId } from '../../../src/run/context.ts';
import { newRunId } from '../../../src/util/run-id.ts';

const dns1123Label = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

describe('spoke cluster names', () => {
  it('is <runId>-<spoke> when that fits', () => {
    const runId = newRunId(new Date('2026-11-25T12:34:56Z'));
    expect(spokeClusterName(runId, 'spoke-01')).toBe(`${runId}-spoke-01`);
    expect(spokeClusterName('fb-1', 'spoke-01')).toBe('fb-1-spoke-01');
  });

  it('stays a DNS-1123 label of at most 63 characters for the longest run ids and spoke names', () => {
    // A scenario run id: the name cut to 30 characters plus a 20-character stamp (51).
    const runId = scenarioRunId('a-scenario-name-well-over-thirty-characters-long', new Date('2026-11-25T12:34:56Z'));
    expect(runId.length).toBe(51);
    const longest = `s${'x'.repeat(maxSpokeNameLength - 2)}1`;
    for (const spoke of ['spoke-01', 'spoke-1000', 'a', longest]) {
      const name = spokeClusterName(runId, spoke);
      expect(name.length, name).toBeLessThanOrEqual(63);
      expect(name, name).toMatch(dns1123Label);
      // The spoke stays recognisable: its name ends the cluster's.
      expect(name.endsWith(`-${spoke}`)).toBe(true);
    }
  });

  it('shortens deterministically, keeping the run id\'s start and telling different spokes and runs apart', () => {
    const runId = 'r'.repeat(30) + '-20261125-123456-a1b2';
    const a = spokeClusterName(runId, 'spoke-with-a-rather-long-name-01');
    expect(spokeClusterName(runId, 'spoke-with-a-rather-long-name-01')).toBe(a);
    expect(a).toMatch(/^r+-[0-9a-f]{6}-spoke-with-a-rather-long-name-01$/);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(spokeClusterName(runId, 'spoke-with-a-rather-long-name-02')).not.toBe(a);
    // Two runs whose ids share the kept prefix still get different names (the hash covers the whole name).
    const other = 'r'.repeat(30) + '-20261125-123456-ffff';
    expect(spokeClusterName(other, 'spoke-with-a-rather-long-name-01')).not.toBe(a);
  });

  it('never ends the kept prefix with "-"', () => {
    const runId = 'abc-' + 'd'.repeat(47);
    for (let length = 20; length <= maxSpokeNameLength; length++) {
      const name = spokeClusterName(runId, 'x'.repeat(length));
      expect(name, name).toMatch(dns1123Label);
      expect(name).not.toContain('--');
    }
  });

  it('refuses bad spoke names and run ids before anything starts', () => {
    expect(() => checkSpokeNames('fb-1', ['spoke-01', 'spoke-02'])).not.toThrow();
    expect(() => checkSpokeNames('fb-1', [])).toThrow(/at least one spoke/);
    expect(() => checkSpokeNames('fb-1', ['Spoke-01'])).toThrow(/spoke name "Spoke-01" is not allowed/);
    expect(() => checkSpokeNames('fb-1', ['spoke_01'])).toThrow(/not allowed/);
    expect(() => checkSpokeNames('fb-1', ['-spoke'])).toThrow(/not allowed/);
    expect(() => checkSpokeNames('fb-1', ['x'.repeat(maxSpokeNameLength + 1)])).toThrow(/at most 40 characters/);
    expect(() => checkSpokeNames('fb-1', ['spoke-01', 'spoke-01'])).toThrow(/given twice/);
    expect(() => checkSpokeNames('FB_1', ['spoke-01'])).toThrow(/run id "FB_1"/);
  });

  it('accepts the names the workload gives spokes, which sort', () => {
    expect(() => checkSpokeNames('fb-1', spokeNames(100))).not.toThrow();
    expect(spokeNames(3)).toEqual(['spoke-01', 'spoke-02', 'spoke-03']);
    expect(spokeNames(100).at(-1)).toBe('spoke-100');
    expect(spokeNames(100)[0]).toBe('spoke-001');
  });
});
