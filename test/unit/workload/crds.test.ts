import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { UsageError } from '../../../src/util/exit-codes.ts';
import { dummyCrdLabel, dummyCrds, estimateWorkload, generateWorkload, loadGeneratedWorkload, maxCrds, parseGeneratorOptions } from '../../../src/workload/index.ts';
import { tempDir } from './helpers.ts';

type Crd = {
  kind: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: { group: string; scope: string; names: { plural: string; kind: string }; versions: Array<{ name: string; served: boolean; storage: boolean; schema: { openAPIV3Schema: Record<string, unknown> } }> };
};

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('dummy CRDs (workload.crds)', () => {
  it('makes one CRD per API group under fluxbench.io, named <plural>.<group> as the API server requires', () => {
    const crds = dummyCrds(3) as unknown as Crd[];
    expect(crds.map((c) => c.metadata.name)).toEqual(['dummies.d0001.crds.fluxbench.io', 'dummies.d0002.crds.fluxbench.io', 'dummies.d0003.crds.fluxbench.io']);
    for (const crd of crds) {
      expect(crd.kind).toBe('CustomResourceDefinition');
      expect(crd.metadata.name).toBe(`${crd.spec.names.plural}.${crd.spec.group}`);
      expect(crd.spec.group.endsWith('.fluxbench.io')).toBe(true);
      expect(crd.metadata.labels[dummyCrdLabel]).toBe('true');
      // Structural and minimal: one served, stored version that keeps whatever it is given.
      expect(crd.spec.versions).toEqual([
        { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
      ]);
    }
  });

  it('makes none by default and as many distinct ones as asked, up to the bound', () => {
    expect(dummyCrds(0)).toEqual([]);
    expect(parseGeneratorOptions({}).crds).toBe(0);
    const all = dummyCrds(maxCrds) as unknown as Crd[];
    expect(all).toHaveLength(1_000);
    expect(new Set(all.map((c) => c.spec.group)).size).toBe(1_000);
    expect(all.at(-1)!.metadata.name).toBe('dummies.d1000.crds.fluxbench.io');
    // The same CRD has the same name whatever the count (a re-run re-applies, it does not add).
    expect((dummyCrds(500) as unknown as Crd[])[49]!.metadata.name).toBe(all[49]!.metadata.name);
  });

  it('refuses counts outside 0-1,000 with the field and the range', () => {
    expect(() => parseGeneratorOptions({ crds: 1_001 })).toThrow(UsageError);
    expect(() => parseGeneratorOptions({ crds: 1_001 })).toThrow(/workload\.crds: must be at most 1,000/);
    expect(() => parseGeneratorOptions({ crds: -1 })).toThrow(/workload\.crds: must be 0 or more/);
    expect(() => parseGeneratorOptions({ crds: 2.5 })).toThrow(/workload\.crds: expected a whole number/);
    expect(() => dummyCrds(1_001)).toThrow(/workload\.crds: 1001 is not a whole number from 0 to 1,000/);
  });

  it('are generated beside root.yaml, load back, and count in the estimate', async () => {
    const storageRoot = tempDir('crds');
    dirs.push(storageRoot);
    const workload = await generateWorkload({ apps: 1, crds: 5 }, { storageRoot, gitBaseUrl: 'http://127.0.0.1:1' });
    expect(workload.crds).toHaveLength(5);
    const written = parseAllDocuments(readFileSync(join(storageRoot, 'crds.yaml'), 'utf8')).map((d) => d.toJS() as Crd);
    expect(written.map((c) => c.metadata.name)).toEqual(workload.crds.map((c) => c.metadata.name));
    // Not root objects: the run applies them in a phase of their own, before the root objects.
    expect(workload.rootObjects.some((o) => o.kind === 'CustomResourceDefinition')).toBe(false);
    expect(loadGeneratedWorkload(storageRoot).crds).toEqual(workload.crds);
    expect(estimateWorkload(parseGeneratorOptions({ crds: 5 })).objects.find((o) => o.kind === 'CustomResourceDefinition')?.count).toBe(5);

    const none = tempDir('crds-none');
    dirs.push(none);
    const plain = await generateWorkload({ apps: 1 }, { storageRoot: none, gitBaseUrl: 'http://127.0.0.1:1' });
    expect(plain.crds).toEqual([]);
    expect(existsSync(join(none, 'crds.yaml'))).toBe(false);
  });
});
