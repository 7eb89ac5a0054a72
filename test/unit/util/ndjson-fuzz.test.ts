/**
 * Property-based tests of the sample stream's file: a crash can cut samples.ndjson at any byte;
 * reading it back keeps every record before the cut, and a writer reopening it (a restarted
 * `github serve --samples`, a rebuilt report) keeps them readable with what it appends.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NdjsonWriter, readNdjson } from '../../../src/util/ndjson.ts';

const dir = mkdtempSync(join(tmpdir(), 'fluxbench-ndjson-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Records as samples are: objects with strings (unicode and newlines included), numbers, nesting.
const record = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 });
let counter = 0;

function written(records: object[]): { path: string; ends: number[] } {
  const path = join(dir, `f-${counter++}.ndjson`);
  const writer = new NdjsonWriter(path);
  const ends: number[] = [];
  let offset = 0;
  for (const r of records) {
    writer.write(r);
    offset += Buffer.byteLength(`${JSON.stringify(r)}\n`);
    ends.push(offset);
  }
  writer.close();
  return { path, ends };
}

/** The records a reader can still have after a cut at `cut` bytes: those whose JSON text is whole. */
function survivors(records: object[], ends: number[], cut: number): object[] {
  return records.filter((_, i) => ends[i]! - 1 <= cut);
}

describe('NDJSON after a crash, fuzzed', () => {
  it('keeps every record before a cut at any byte', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 20 }), fc.double({ min: 0, max: 1, noNaN: true }), (records, at) => {
        const { path, ends } = written(records);
        const cut = Math.floor(at * statSync(path).size);
        truncateSync(path, cut);
        // JSON.parse(JSON.stringify(r)) is what a reader can give back (e.g. -0 becomes 0).
        expect(readNdjson(path)).toEqual(survivors(records, ends, cut).map((r) => JSON.parse(JSON.stringify(r))));
      }),
      { numRuns: 500 },
    );
  });

  it('drops only the torn fragment when a writer reopens the file, and appends whole records after it', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 10 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.array(record, { maxLength: 5 }), (before, at, after) => {
        const { path, ends } = written(before);
        const cut = Math.floor(at * statSync(path).size);
        truncateSync(path, cut);
        const writer = new NdjsonWriter(path);
        for (const r of after) writer.write(r);
        writer.close();
        // A record cut right before its newline is whole JSON but has no line end: the writer drops it with the torn tail.
        const kept = before.filter((_, i) => ends[i]! <= cut);
        expect(readNdjson(path)).toEqual([...kept, ...after].map((r) => JSON.parse(JSON.stringify(r))));
      }),
      { numRuns: 300 },
    );
  });

  it('empties a file that is one torn record, and still refuses corruption in the middle, naming the line', () => {
    const { path } = written([{ a: 1 }, { b: 2 }, { c: 3 }]);
    truncateSync(path, 5);
    const writer = new NdjsonWriter(path);
    writer.write({ d: 4 });
    writer.close();
    expect(readNdjson(path)).toEqual([{ d: 4 }]);
    const corrupt = join(dir, 'corrupt.ndjson');
    writeFileSync(corrupt, '{"a":1}\n{"b":\n{"c":3}\n');
    expect(() => readNdjson(corrupt)).toThrow(`${corrupt}:2: not valid JSON`);
  });
});
