import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { UsageError } from '../../../src/util/exit-codes.ts';
import { dummyCrdLabel, dummyCrds, estimateWorkload, generateWorkload, loadGeneratedWorkload, maxCrds, parseGeneratorOptions } from '../../../src/workload/index.ts';
import { largeSchema } from '../../../src/workload/crds.ts';
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

  it('workload.crdSchemaSize: a structural schema of about that size, the same in every CRD and every run', () => {
    for (const bytes of [4 * 1024, 76 * 1024, 512 * 1024]) {
      const size = JSON.stringify(largeSchema(bytes)).length;
      // At least the size asked, overshooting by no more than one field.
      expect(size).toBeGreaterThanOrEqual(bytes);
      expect(size).toBeLessThan(bytes + 2_000);
    }
    // No randomness: two calls give the same schema, so every run applies the same CRDs.
    expect(JSON.stringify(largeSchema(64 * 1024))).toBe(JSON.stringify(largeSchema(64 * 1024)));
    const crds = dummyCrds(3, 76 * 1024) as unknown as Crd[];
    // Structural, as the API server requires of apiextensions.k8s.io/v1: every node has a type, no
    // node both lists properties and preserves unknown fields, and every required field is a property.
    const walk = (node: Record<string, unknown>, path: string): void => {
      expect(typeof node.type, path).toBe('string');
      expect(node['x-kubernetes-preserve-unknown-fields'], path).toBeUndefined();
      const properties = (node.properties ?? {}) as Record<string, Record<string, unknown>>;
      for (const name of (node.required ?? []) as string[]) expect(Object.keys(properties), `${path}.required`).toContain(name);
      for (const [name, child] of Object.entries(properties)) walk(child, `${path}.${name}`);
      if (node.items) walk(node.items as Record<string, unknown>, `${path}[]`);
    };
    walk(crds[0]!.spec.versions[0]!.schema.openAPIV3Schema, 'openAPIV3Schema');
  });

  it('workload.crdSchemaSize: parsed from a quantity, refused outside 1Ki-1Mi naming the field; large CRDs load back without being stored twice', async () => {
    expect(parseGeneratorOptions({ crds: 2, crdSchemaSize: '128Ki' }).crdSchemaSize).toBe(131_072);
    expect(parseGeneratorOptions({ crds: 2 }).crdSchemaSize).toBeUndefined();
    expect(() => parseGeneratorOptions({ crdSchemaSize: '513Ki' })).toThrow(/workload\.crdSchemaSize: must be from 1Ki to 512Ki/);
    expect(() => parseGeneratorOptions({ crdSchemaSize: '100' })).toThrow(/workload\.crdSchemaSize: must be from 1Ki to 512Ki/);
    // Together: 1,000 × 512Ki would be 500 MiB of schema in one list.
    expect(parseGeneratorOptions({ crds: 500, crdSchemaSize: '512Ki' }).crdSchemaSize).toBe(524_288);
    expect(() => parseGeneratorOptions({ crds: 1_000, crdSchemaSize: '512Ki' })).toThrow(/workload\.crdSchemaSize: 1000 CRDs \(workload\.crds\) of 524288 bytes each are more than 256 MiB/);
    // The estimate (and the feasibility check built on it) counts the schema, and its managedFields, in etcd.
    const crdBytes = (input: object) => estimateWorkload(parseGeneratorOptions(input)).objects.find((o) => o.kind === 'CustomResourceDefinition')!;
    expect(crdBytes({ crds: 10, crdSchemaSize: '76Ki' }).bytesEach).toBeGreaterThan(1.4 * 76 * 1024);
    expect(crdBytes({ crds: 10 }).bytesEach).toBeLessThan(4 * 1024);
    expect(() => parseGeneratorOptions({ crdSchemaSize: 'huge' })).toThrow(/workload\.crdSchemaSize/);

    const storageRoot = tempDir('crds-large');
    dirs.push(storageRoot);
    const workload = await generateWorkload({ apps: 1, crds: 4, crdSchemaSize: '64Ki' }, { storageRoot, gitBaseUrl: 'http://127.0.0.1:1' });
    expect(JSON.stringify(workload.crds[0]).length).toBeGreaterThan(64 * 1024);
    // workload.json keeps how to make them (a few bytes), crds.yaml has them whole.
    expect(readFileSync(join(storageRoot, 'workload.json'), 'utf8').length).toBeLessThan(64 * 1024);
    expect(parseAllDocuments(readFileSync(join(storageRoot, 'crds.yaml'), 'utf8')).map((d) => d.toJS())).toEqual(workload.crds);
    expect(loadGeneratedWorkload(storageRoot).crds).toEqual(workload.crds);
    // A workload.json written before crdOptions, with the CRDs whole, still loads them.
    const path = join(storageRoot, 'workload.json');
    const { crdOptions: _omitted, ...older } = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify({ ...older, crds: workload.crds.slice(0, 2) }));
    expect(loadGeneratedWorkload(storageRoot).crds).toEqual(workload.crds.slice(0, 2));
  });
});
