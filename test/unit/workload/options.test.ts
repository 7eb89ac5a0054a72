import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/util/exit-codes.ts';
import { generatorOptionsSchema, parseGeneratorOptions } from '../../../src/workload/index.ts';

function usageMessage(input: unknown): string {
  try {
    parseGeneratorOptions(input);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('generator options', () => {
  it('fills every default from an empty mapping', () => {
    const options = parseGeneratorOptions({});
    expect(options.layout).toBe('monorepo');
    expect(options.apps).toBe(10);
    expect(options.app.manifests).toBe(3);
    expect(options.flux.namespace).toBe('flux-system');
    expect(options.graph.shape).toBe('none');
    expect(options.graph.faults.cycles).toEqual([]);
    expect(options.ignoredFiles.bytes).toBe(64 * 1024);
    expect(options.largeFiles.bytes).toBe(1024 * 1024);
    expect(options.history.commits).toBe(1);
  });

  it('parses sizes given as quantities and durations given as seconds', () => {
    const options = parseGeneratorOptions({ repoSizeBytes: '200Mi', app: { bytesPerManifest: '4Ki' }, ignoredFiles: { count: 2 }, flux: { interval: 30 } });
    expect(options.repoSizeBytes).toBe(200 * 1024 * 1024);
    expect(options.app.bytesPerManifest).toBe(4096);
    expect(options.ignoredFiles).toEqual({ count: 2, bytes: 64 * 1024 });
    expect(options.flux.interval).toBe('30s');
  });

  it('names the field of negative counts', () => {
    expect(usageMessage({ apps: -1 })).toMatch(/workload\.apps: must be 0 or more/);
    expect(usageMessage({ graph: { faults: { twoCycles: -2 } } })).toMatch(/workload\.graph\.faults\.twoCycles: must be 0 or more/);
  });

  it('lists the allowed graph shapes and layouts', () => {
    const message = usageMessage({ graph: { shape: 'star' }, layout: 'mono' });
    expect(message).toMatch(/workload\.graph\.shape: .*"none"\|"chain"\|"fan-out"\|"fan-in"\|"random"/);
    expect(message).toMatch(/workload\.layout: .*"monorepo"\|"repo-per-team"\|"both"/);
  });

  it('refuses a k-cycle longer than the app count', () => {
    expect(usageMessage({ apps: 4, graph: { faults: { cycles: [5] } } })).toMatch(/graph\.faults\.cycles\.0: a 5-cycle needs 5 apps but the workload has only 4/);
  });

  it('refuses faults that need more apps than there are', () => {
    expect(usageMessage({ apps: 5, graph: { faults: { twoCycles: 2, brokenRoots: 1, brokenChainLength: 1 } } })).toMatch(/need 6 apps .* but workload\.apps is 5/);
  });

  it('rejects unknown keys, bad durations and bad quantities', () => {
    expect(usageMessage({ appz: 3 })).toMatch(/Unrecognized key.*appz/);
    expect(usageMessage({ flux: { interval: 'soon' } })).toMatch(/workload\.flux\.interval: invalid duration "soon"/);
    expect(usageMessage({ repoSizeBytes: '12 parsecs' })).toMatch(/workload\.repoSizeBytes: invalid quantity/);
    expect(usageMessage({ app: { bytesPerManifest: '2Mi' } })).toMatch(/workload\.app\.bytesPerManifest: must be at most 1000000 bytes/);
    expect(usageMessage({ fleetRepo: 'team-2' })).toMatch(/workload\.fleetRepo: "team-2" is taken by team repos/);
    expect(usageMessage({ app: { manifests: 2 } })).toMatch(/workload\.app\.manifests: must be at least 3/);
    expect(usageMessage({ graph: { edgeProbability: 1.5 } })).toMatch(/edgeProbability: must be between 0 and 1/);
  });

  it('accepts its own output again unchanged (callers may pass parsed options)', () => {
    const parsed = parseGeneratorOptions({ apps: 3, repoSizeBytes: '1Mi', flux: { interval: 90 }, graph: { faults: { cycles: [2] } } });
    expect(parseGeneratorOptions(parsed)).toEqual(parsed);
  });

  it('is a zod schema a scenario can embed', () => {
    expect(generatorOptionsSchema.safeParse({ apps: 3 }).success).toBe(true);
    expect(generatorOptionsSchema.safeParse({ apps: 'three' }).success).toBe(false);
  });
});
