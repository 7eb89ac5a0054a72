import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compatFile, compatHint, readCompat, recordStarted, withStarted } from '../../../src/toolchain/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'fb-compat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('controller × Kubernetes combinations that started here', () => {
  it('records each controller version with the Kubernetes versions it started on, once each, in version order', () => {
    let record = withStarted({}, { 'kustomize-controller': 'v1.9.5', 'source-controller': 'v1.9.5' }, '1.35.4');
    record = withStarted(record, { 'kustomize-controller': 'v1.9.5' }, '1.34.4');
    record = withStarted(record, { 'kustomize-controller': 'v1.9.5' }, '1.34.4');
    expect(record).toEqual({ 'kustomize-controller@v1.9.5': ['1.34.4', '1.35.4'], 'source-controller@v1.9.5': ['1.35.4'] });
  });

  it('names the versions that started on this Kubernetes, and where this version started', () => {
    const record = { 'kustomize-controller@v1.9.5': ['1.34.4'], 'kustomize-controller@v1.9.6': ['1.34.4', '1.35.4'], 'kustomize-controller@v1.10.1': ['1.36.1'] };
    expect(compatHint(record, 'kustomize-controller', 'v1.10.1', '1.34.4')).toBe(
      'combinations that started on this machine: kustomize-controller v1.9.5, v1.9.6 started on Kubernetes 1.34.4; kustomize-controller v1.10.1 started on Kubernetes 1.36.1',
    );
    expect(compatHint(record, 'source-controller', 'v1.10.1', '1.34.4')).toBeUndefined();
  });

  it('keeps the record in the cache across runs, and treats a broken file as empty', () => {
    const file = compatFile(dir);
    recordStarted(file, { 'kustomize-controller': 'v1.9.6' }, '1.34.4');
    recordStarted(file, { 'kustomize-controller': 'v1.9.6' }, '1.35.4');
    expect(readCompat(file)).toEqual({ 'kustomize-controller@v1.9.6': ['1.34.4', '1.35.4'] });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(readCompat(file));
    writeFileSync(file, '{not json');
    expect(readCompat(file)).toEqual({});
    recordStarted(file, { 'kustomize-controller': 'v1.9.6' }, '1.34.4');
    expect(readCompat(file)).toEqual({ 'kustomize-controller@v1.9.6': ['1.34.4'] });
  });
});
