import { describe, expect, it } from 'vitest';
import { parseRegistryOptions, registryOptionsSchema } from '../../../src/registry/options.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';
import { durationMs } from '../../../src/serving/fields.ts';

describe('registry options', () => {
  it("defaults to Docker Hub's documented limits, switched off, and anonymous pulls allowed", () => {
    const options = parseRegistryOptions(undefined);
    expect(options).toEqual({
      timeScale: 1,
      tls: false,
      anonymousPull: true,
      rateLimits: { enabled: false, window: '6h', anonymous: 100, authenticated: 200 },
      faults: [],
    });
    expect(durationMs(options.rateLimits.window)).toBe(6 * 3_600_000);
  });

  it('parses idempotently: parsed options parse to themselves', () => {
    const once = parseRegistryOptions({ timeScale: 60, rateLimits: { enabled: true, window: 3600 }, faults: [{ type: 'latency', fixed: 0.25, match: { route: 'manifest', repository: 'team-*/*' } }] });
    expect(once.rateLimits.window).toBe('3600s');
    expect(once.faults[0]).toMatchObject({ type: 'latency', fixed: '0.25s', jitter: '0s', match: { route: 'manifest', repository: 'team-*/*' } });
    expect(parseRegistryOptions(once)).toEqual(once);
  });

  it('fills a fault match that matches every route and repository', () => {
    const { faults } = parseRegistryOptions({ faults: [{ type: 'outage' }, { type: 'error', rate: 0.5, match: { route: 'b*' } }] });
    expect(faults[0]).toMatchObject({ type: 'outage', status: 503, match: { route: '*', repository: '*' } });
    expect(faults[1]).toMatchObject({ type: 'error', status: 503, rate: 0.5, match: { route: 'b*', repository: '*' } });
  });

  it('refuses bad values with a UsageError naming each field', () => {
    expect(() => parseRegistryOptions({ timeScale: 0 })).toThrow(UsageError);
    expect(() => parseRegistryOptions({ timeScale: 0 })).toThrow(/registry\.timeScale/);
    expect(() => parseRegistryOptions({ rateLimits: { window: 'soon' } })).toThrow(/registry\.rateLimits\.window/);
    expect(() => parseRegistryOptions({ rateLimits: { window: 0 } })).toThrow(/registry\.rateLimits\.window: must be longer than 0s/);
    expect(() => parseRegistryOptions({ rateLimits: { anonymous: 1.5 } })).toThrow(/registry\.rateLimits\.anonymous/);
    expect(() => parseRegistryOptions({ rateLimits: { token: 5 } })).toThrow(/registry\.rateLimits: .*token/);
    expect(() => parseRegistryOptions({ anonymousRead: false }, 'scenario.yaml: registry')).toThrow(/scenario\.yaml: registry: .*anonymousRead/);
  });

  it('refuses faults of unknown types, bad rates and routes that match no registry route', () => {
    expect(() => parseRegistryOptions({ faults: [{ type: 'meteor' }] })).toThrow(/registry\.faults\[0\]\.type/);
    expect(() => parseRegistryOptions({ faults: [{ type: 'error', rate: 2 }] })).toThrow(/registry\.faults\[0\]\.rate/);
    expect(() => parseRegistryOptions({ faults: [{ type: 'error', match: { route: 'git.*' } }] })).toThrow(
      /registry\.faults\[0\]\.match\.route: matches no registry route \(routes: base, token, manifest, blob, upload, tags, catalog, referrers, other/,
    );
    expect(() => parseRegistryOptions({ faults: [{ type: 'error', match: { repo: 'a/b' } }] })).toThrow(/registry\.faults\[0\]\.match: .*repo/);
  });

  it('bounds the fault list', () => {
    const faults = Array.from({ length: 1_001 }, () => ({ type: 'outage' as const }));
    expect(registryOptionsSchema.safeParse({ faults }).success).toBe(false);
  });
});
