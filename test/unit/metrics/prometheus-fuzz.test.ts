/**
 * Property-based tests of the Prometheus text parser: whatever a controller's /metrics returns,
 * the parser answers with families or a PrometheusParseError naming the line, never another
 * exception; what it parses, the histogram helpers digest without throwing; and well-formed text
 * comes back exactly as written.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { histogramQuantile, histogramSeries, labelKey, linePrefixFilter, parsePrometheusText, PrometheusParseError, selectFamilies, sumFamily, type MetricFamilies } from '../../../src/metrics/prometheus.ts';

const runs = { numRuns: 2_000 };

const name = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,20}$/);
const labelName = fc.oneof(fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,12}$/), fc.constantFrom('__proto__', 'constructor', 'le'));
const labelValue = fc.string({ maxLength: 20, unit: fc.constantFrom('a', 'Z', '0', ' ', '"', '\\', '\n', '{', '}', ',', '=', '#', 'é', '\t') });
// -0 prints as "0": text cannot carry the sign of zero.
const value = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => (Object.is(v, -0) ? 0 : v)), fc.integer(), fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY));

/** Bits of exposition text, valid and broken, glued at random. */
const fragment = fc.oneof(
  name,
  fc.constantFrom('# TYPE ', '# HELP ', '# EOF', '#', ' ', '\t', '\n', '\r\n', '{', '}', '="', '"', ',', '\\', '\\n', 'le="', '+Inf', '-Inf', 'NaN', '1e9', '0x1F', '_bucket', '_sum', '_count', '_total', 'counter', 'histogram', 'summary', 'gauge', 'untyped', 'bogus', ' # {a="b"} 1'),
  fc.string({ maxLength: 8 }),
  value.map(String),
);
const noisyText = fc.array(fragment, { maxLength: 60 }).map((parts) => parts.join(''));

const sampleArb = fc.record({ labels: fc.dictionary(labelName, labelValue, { maxKeys: 4 }), value, timestampMs: fc.option(fc.integer({ min: 0, max: 2 ** 42 }), { nil: undefined }) });
const family = fc.record({
  name,
  type: fc.constantFrom('counter', 'gauge', 'untyped'),
  help: fc.option(fc.string({ maxLength: 30 }).map((h) => h.replace(/[\r\n]/g, ' ').trim()), { nil: undefined }),
  samples: fc.array(sampleArb, { minLength: 1, maxLength: 5 }),
});
type GeneratedFamily = typeof family extends fc.Arbitrary<infer T> ? T : never;

/** Well-formed exposition text of the families, in order. */
function exposition(families: readonly GeneratedFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    if (f.help) lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\')}`);
    lines.push(`# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
      lines.push(`${f.name}${labels.length ? `{${labels.join(',')}}` : ''} ${s.value}${s.timestampMs !== undefined ? ` ${s.timestampMs}` : ''}`);
    }
  }
  return lines.join('\n');
}

function digest(families: MetricFamilies): void {
  for (const family of families.values()) {
    sumFamily(families, family.name);
    if (family.type === 'histogram') for (const series of histogramSeries(family)) histogramQuantile(series.buckets, 0.95);
    for (const sample of family.samples) labelKey(sample.labels);
  }
}

function escapeLabel(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

describe('the Prometheus text parser, fuzzed', () => {
  it('returns families or throws PrometheusParseError with a line, for any text', () => {
    fc.assert(
      fc.property(noisyText, (text) => {
        let families: MetricFamilies;
        try {
          families = parsePrometheusText(text);
        } catch (error) {
          expect(error).toBeInstanceOf(PrometheusParseError);
          const line = (error as PrometheusParseError).line;
          expect(line).toBeGreaterThanOrEqual(1);
          expect(line).toBeLessThanOrEqual(text.split('\n').length);
          return;
        }
        digest(families);
      }),
      runs,
    );
  });

  it('digests any parsed histogram, however odd its buckets (bad le, no +Inf, decreasing counts)', () => {
    const bucket = fc.record({ le: fc.oneof(value.map(String), fc.constantFrom('+Inf', 'abc', '', '1e400', '-0')), count: fc.nat() });
    fc.assert(
      fc.property(fc.array(bucket, { maxLength: 12 }), fc.double({ min: -1, max: 2 }), (buckets, q) => {
        const text = ['# TYPE h histogram', ...buckets.map((b) => `h_bucket{le="${escapeLabel(b.le)}"} ${b.count}`), 'h_sum 1', 'h_count 2'].join('\n');
        const family = parsePrometheusText(text).get('h')!;
        for (const series of histogramSeries(family)) {
          const quantile = histogramQuantile(series.buckets, q);
          expect(typeof quantile).toBe('number');
        }
      }),
      runs,
    );
  });

  it('reads well-formed text back exactly as written', () => {
    fc.assert(
      fc.property(fc.uniqueArray(family, { selector: (f) => f.name, maxLength: 5 }), (families) => {
        // One family's series name must not be another's suffixed name, or they would merge (as in Prometheus).
        fc.pre(families.every((a) => families.every((b) => a === b || !b.name.startsWith(a.name))));
        const parsed = parsePrometheusText(exposition(families));
        expect([...parsed.keys()]).toEqual(families.map((f) => f.name));
        for (const f of families) {
          const got = parsed.get(f.name)!;
          expect(got.type).toBe(f.type);
          if (f.help) expect(got.help).toBe(f.help);
          expect(got.samples.map((s) => ({ labels: s.labels, value: s.value, timestampMs: s.timestampMs }))).toEqual(f.samples.map((s) => ({ labels: s.labels, value: s.value, timestampMs: s.timestampMs })));
        }
      }),
      runs,
    );
  });

  it('selects families by name without changing what is parsed of them', () => {
    fc.assert(
      fc.property(fc.uniqueArray(family, { selector: (f) => f.name, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 4 }), (families, picks) => {
        fc.pre(families.every((a) => families.every((b) => a === b || !b.name.startsWith(a.name))));
        const names = families.length === 0 ? [] : picks.map((i) => families[i % families.length]!.name);
        const whole = parsePrometheusText(exposition(families));
        const selected = parsePrometheusText(selectFamilies(exposition(families), names));
        expect([...selected.keys()].sort()).toEqual([...new Set(names)].sort());
        for (const n of names) expect(selected.get(n)).toEqual(whole.get(n));
      }),
      runs,
    );
  });

  it('picks, by the bytes of each line, a text from which selectFamilies selects the same as from the whole', () => {
    fc.assert(
      fc.property(fc.uniqueArray(family, { selector: (f) => f.name, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 4 }), (families, picks) => {
        const names = families.length === 0 ? [] : picks.map((i) => families[i % families.length]!.name);
        const text = exposition(families);
        const distinct = families.every((a) => families.every((b) => a === b || !b.name.startsWith(a.name)));
        const keep = linePrefixFilter(names);
        const picked = text
          .split('\n')
          .filter((line) => keep(Buffer.from(line, 'utf8')))
          .join('\n');
        expect(selectFamilies(picked, names)).toEqual(selectFamilies(text, names));
        // Lines of families not asked for (and not sharing a prefix with one) are dropped.
        if (distinct) for (const f of families) if (!names.includes(f.name)) expect(picked.split('\n').some((l) => l.startsWith(f.name))).toBe(false);
      }),
      runs,
    );
  });
});
