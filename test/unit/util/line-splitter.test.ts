import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../src/util/line-splitter.ts';

describe('LineSplitter', () => {
  it('gives the same lines however the bytes are cut into chunks, multi-byte characters included', () => {
    const line = fc.string({ unit: fc.constantFrom('a', '{', '"', 'é', '€', '😀', ' ') , minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 20 }), (lines, cuts) => {
        const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const seen: string[] = [];
        const splitter = new LineSplitter((l) => seen.push(l.toString('utf8')));
        let from = 0;
        for (const at of [...points, bytes.length]) {
          splitter.push(bytes.subarray(from, at));
          from = at;
        }
        expect(seen).toEqual(lines);
      }),
    );
  });

  it('skips empty lines, holds a last line until its newline arrives, and hands it over on flush', () => {
    const seen: string[] = [];
    const splitter = new LineSplitter((l) => seen.push(l.toString('utf8')));
    splitter.push(Buffer.from('\n\none\ntw'));
    expect(seen).toEqual(['one']);
    splitter.push(Buffer.from('o'));
    expect(seen).toEqual(['one']);
    splitter.push(Buffer.from('\nthree'));
    expect(seen).toEqual(['one', 'two']);
    splitter.flush();
    expect(seen).toEqual(['one', 'two', 'three']);
  });
});
