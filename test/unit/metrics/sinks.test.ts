import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/metrics/sample.ts';
import { MemorySink, fanOutSink } from '../../../src/metrics/sinks.ts';
import { NdjsonWriter, readNdjson } from '../../../src/util/ndjson.ts';

describe('sinks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxbench-sinks-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fans samples out to an NDJSON file and a filtered memory sink', () => {
    const writer = new NdjsonWriter<Sample>(join(dir, 'samples.ndjson'));
    const lagOnly = new MemorySink((s) => s.kind === 'lag');
    const sink = fanOutSink(writer, lagOnly);
    const lag: Sample = { ts: 1, kind: 'lag', name: 'ready', value: 2.5, labels: { object: 'Kustomization/a/b', repo: 'o/r', commit: 'c', stage: 'ready' } };
    const api: Sample = { ts: 2, kind: 'api', name: 'etcd_db_bytes', value: 4096 };
    sink.write(lag);
    sink.write(api);
    writer.close();
    expect(readNdjson<Sample>(join(dir, 'samples.ndjson'))).toEqual([lag, api]);
    expect(lagOnly.samples).toEqual([lag]);
  });

  it('still delivers to the other sinks when one throws, then reports the error', () => {
    const closed = new NdjsonWriter<Sample>(join(dir, 'closed.ndjson'));
    closed.close();
    const memory = new MemorySink();
    const sink = fanOutSink(closed, memory);
    expect(() => sink.write({ ts: 1, kind: 'phase', name: 'measure' })).toThrow(/closed/);
    expect(memory.samples).toHaveLength(1);
  });
});
