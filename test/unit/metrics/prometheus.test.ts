import { describe, expect, it } from 'vitest';
import {
  PrometheusParseError,
  histogramQuantile,
  histogramSeries,
  linePrefixFilter,
  mergeHistogramBuckets,
  parsePrometheusText,
  selectFamilies,
  subtractHistogramBuckets,
  sumFamily,
} from '../../../src/metrics/prometheus.ts';

describe('parsePrometheusText', () => {
  it('parses families with HELP, TYPE, labels and timestamps', () => {
    const families = parsePrometheusText(
      [
        '# HELP http_requests_total The total number of HTTP requests.',
        '# TYPE http_requests_total counter',
        'http_requests_total{method="post",code="200"} 1027 1395066363000',
        'http_requests_total{method="post",code="400"}    3 1395066363000',
        '',
        '# A free comment',
        'metric_without_timestamp_and_labels 12.47',
      ].join('\n'),
    );
    const requests = families.get('http_requests_total')!;
    expect(requests.type).toBe('counter');
    expect(requests.help).toBe('The total number of HTTP requests.');
    expect(requests.samples).toEqual([
      { name: 'http_requests_total', labels: { method: 'post', code: '200' }, value: 1027, timestampMs: 1395066363000 },
      { name: 'http_requests_total', labels: { method: 'post', code: '400' }, value: 3, timestampMs: 1395066363000 },
    ]);
    const untyped = families.get('metric_without_timestamp_and_labels')!;
    expect(untyped.type).toBe('untyped');
    expect(untyped.samples[0]!.value).toBe(12.47);
  });

  it('unescapes label values and help text', () => {
    const families = parsePrometheusText(
      ['# HELP weird A \\\\ backslash and\\nnewline', 'weird{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9'].join('\n'),
    );
    const family = families.get('weird')!;
    expect(family.help).toBe('A \\ backslash and\nnewline');
    expect(family.samples[0]!.labels).toEqual({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
    expect(family.samples[0]!.value).toBe(1.458255915e9);
  });

  it('accepts commas and braces inside label values, spaces and a trailing comma', () => {
    const families = parsePrometheusText('m{a="x,y}", b = "z",} 2\r\n');
    expect(families.get('m')!.samples[0]!.labels).toEqual({ a: 'x,y}', b: 'z' });
  });

  it('parses +Inf, -Inf and NaN values', () => {
    const families = parsePrometheusText('a +Inf\nb -Inf\nc NaN\nd 1e-3\n');
    expect(families.get('a')!.samples[0]!.value).toBe(Number.POSITIVE_INFINITY);
    expect(families.get('b')!.samples[0]!.value).toBe(Number.NEGATIVE_INFINITY);
    expect(families.get('c')!.samples[0]!.value).toBeNaN();
    expect(families.get('d')!.samples[0]!.value).toBe(0.001);
  });

  it('groups histogram and summary series under their family', () => {
    const families = parsePrometheusText(
      [
        '# TYPE rpc_duration_seconds summary',
        'rpc_duration_seconds{quantile="0.5"} 4773',
        'rpc_duration_seconds{quantile="0.99"} 76656',
        'rpc_duration_seconds_sum 1.7560473e+07',
        'rpc_duration_seconds_count 2693',
        '# TYPE req_seconds histogram',
        'req_seconds_bucket{le="0.05"} 24054',
        'req_seconds_bucket{le="0.1"} 33444',
        'req_seconds_bucket{le="+Inf"} 144320',
        'req_seconds_sum 53423',
        'req_seconds_count 144320',
        'req_seconds_other 1',
      ].join('\n'),
    );
    expect(families.get('rpc_duration_seconds')!.samples.map((s) => s.name)).toEqual([
      'rpc_duration_seconds',
      'rpc_duration_seconds',
      'rpc_duration_seconds_sum',
      'rpc_duration_seconds_count',
    ]);
    expect(families.get('req_seconds')!.samples).toHaveLength(5);
    // Not a histogram suffix: its own family.
    expect(families.get('req_seconds_other')!.type).toBe('untyped');
    const [series] = histogramSeries(families.get('req_seconds')!);
    expect(series).toEqual({
      labels: {},
      buckets: [
        { le: 0.05, count: 24054 },
        { le: 0.1, count: 33444 },
        { le: Number.POSITIVE_INFINITY, count: 144320 },
      ],
      sum: 53423,
      count: 144320,
    });
  });

  it('ignores OpenMetrics exemplars and # EOF', () => {
    const families = parsePrometheusText('# TYPE foo counter\nfoo_total 17.0 1520879607.789 # {id="x"} 1\nbar_bucket{le="1"} 2 # {trace="a"} 0.5\n# EOF\n');
    expect(families.get('foo')!.samples[0]!.value).toBe(17);
    expect(families.get('bar_bucket')!.samples[0]!.value).toBe(2);
  });

  it('names the line of malformed input', () => {
    expect(() => parsePrometheusText('ok 1\nbroken{a="1" 2\n')).toThrow(PrometheusParseError);
    expect(() => parsePrometheusText('ok 1\nbroken{a="1" 2\n')).toThrow(/line 2/);
    expect(() => parsePrometheusText('x abc')).toThrow(/invalid value "abc"/);
    expect(() => parsePrometheusText('x')).toThrow(/missing value/);
    expect(() => parsePrometheusText('# TYPE x weird\n')).toThrow(/unknown metric type "weird".*allowed: counter/);
    expect(() => parsePrometheusText('x{a="unterminated} 1')).toThrow(/unterminated value for label a/);
    expect(() => parsePrometheusText('1x 1')).toThrow(/expected a metric name/);
  });

  it('sums a family, optionally one series name', () => {
    const families = parsePrometheusText('# TYPE c counter\nc_total{a="1"} 2\nc_total{a="2"} 3\nc_created 100\n');
    expect(sumFamily(families, 'c', 'c_total')).toBe(5);
    expect(sumFamily(families, 'c')).toBe(105);
    expect(sumFamily(families, 'missing')).toBeUndefined();
  });
});

describe('histogramQuantile', () => {
  const buckets = [
    { le: 0.1, count: 50 },
    { le: 1, count: 90 },
    { le: 10, count: 100 },
    { le: Number.POSITIVE_INFINITY, count: 100 },
  ];

  it('interpolates linearly inside the bucket holding the rank', () => {
    expect(histogramQuantile(buckets, 0.5)).toBeCloseTo(0.1, 10);
    // rank 70 is 20/40 of the way through (0.1, 1]
    expect(histogramQuantile(buckets, 0.7)).toBeCloseTo(0.55, 10);
    // rank 95 is 5/10 of the way through (1, 10]
    expect(histogramQuantile(buckets, 0.95)).toBeCloseTo(5.5, 10);
    // the first bucket starts at 0
    expect(histogramQuantile(buckets, 0.25)).toBeCloseTo(0.05, 10);
  });

  it('returns the highest finite bound when the rank is in the +Inf bucket', () => {
    const tail = [
      { le: 1, count: 10 },
      { le: Number.POSITIVE_INFINITY, count: 20 },
    ];
    expect(histogramQuantile(tail, 0.99)).toBe(1);
  });

  it('is NaN without observations or without a +Inf bucket, ±Inf outside [0, 1]', () => {
    expect(histogramQuantile([{ le: 1, count: 0 }, { le: Number.POSITIVE_INFINITY, count: 0 }], 0.5)).toBeNaN();
    expect(histogramQuantile([{ le: 1, count: 3 }, { le: 2, count: 4 }], 0.5)).toBeNaN();
    expect(histogramQuantile(buckets, -0.1)).toBe(Number.NEGATIVE_INFINITY);
    expect(histogramQuantile(buckets, 1.1)).toBe(Number.POSITIVE_INFINITY);
  });

  it('sorts buckets and repairs non-monotonic counts', () => {
    const shuffled = [buckets[2]!, buckets[0]!, buckets[3]!, { le: 1, count: 40 }];
    // counts (50, 40→50, 100, 100): rank 95 lies in (1, 10]
    expect(histogramQuantile(shuffled, 0.95)).toBeCloseTo(1 + 9 * (45 / 50), 10);
  });

  it('merges and subtracts bucket sets', () => {
    const merged = mergeHistogramBuckets([buckets, buckets]);
    expect(merged.map((b) => b.count)).toEqual([100, 180, 200, 200]);
    expect(subtractHistogramBuckets(merged, buckets).map((b) => b.count)).toEqual([50, 90, 100, 100]);
    // A counter reset (restart) yields the new counts as they are.
    expect(subtractHistogramBuckets(buckets, merged)).toEqual(buckets);
  });
});

describe('selectFamilies', () => {
  const text = [
    '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
    '# TYPE process_cpu_seconds_total counter',
    'process_cpu_seconds_total 12.5',
    '# TYPE controller_runtime_reconcile_time_seconds histogram',
    'controller_runtime_reconcile_time_seconds_bucket{controller="kustomization",le="0.5"} 3',
    'controller_runtime_reconcile_time_seconds_bucket{controller="kustomization",le="+Inf"} 4',
    'controller_runtime_reconcile_time_seconds_sum{controller="kustomization"} 2.5',
    'controller_runtime_reconcile_time_seconds_count{controller="kustomization"} 4',
    '# TYPE go_gc_duration_seconds summary',
    'go_gc_duration_seconds{quantile="0.5"} 0.001',
    '# TYPE rest_client_requests counter',
    'rest_client_requests_total{code="200"} 7',
    '# TYPE workqueue_depth gauge',
    'workqueue_depth{name="kustomization"} 2',
  ].join('\n');

  it('keeps the named families whole (comments, suffixed series) and drops the rest', () => {
    const selected = selectFamilies(text, ['process_cpu_seconds_total', 'controller_runtime_reconcile_time_seconds', 'workqueue_depth']);
    expect(selected).not.toContain('go_gc_duration_seconds');
    expect(selected).not.toContain('rest_client_requests');
    const families = parsePrometheusText(selected);
    expect([...families.keys()]).toEqual(['process_cpu_seconds_total', 'controller_runtime_reconcile_time_seconds', 'workqueue_depth']);
    expect(families.get('controller_runtime_reconcile_time_seconds')).toEqual(parsePrometheusText(text).get('controller_runtime_reconcile_time_seconds'));
    expect(selected.split('\n')).toHaveLength(10);
  });

  it('finds a counter asked for with _total under its OpenMetrics family name', () => {
    const families = parsePrometheusText(selectFamilies(text, ['rest_client_requests_total']));
    expect(sumFamily(families, 'rest_client_requests', 'rest_client_requests_total')).toBe(7);
  });
});

describe('linePrefixFilter', () => {
  const keep = (names: string[], lines: string[]) => lines.filter((line) => linePrefixFilter(names)(Buffer.from(line)));

  it('keeps the series and the HELP and TYPE lines of the families asked for, and drops other comments', () => {
    const text = ['# HELP a_bytes A.', '#  TYPE\ta_bytes gauge', 'a_bytes 1', '# TYPE b gauge', 'b 2', '# EOF', '# a_bytes free text'];
    expect(keep(['a_bytes'], text)).toEqual(['# HELP a_bytes A.', '#  TYPE\ta_bytes gauge', 'a_bytes 1']);
  });

  it('keeps an OpenMetrics counter\'s lines asked for by its _total name, _created included, as selectFamilies does', () => {
    const text = ['# TYPE c counter', 'c_total 3', 'c_created 1700000000', 'd_total 1'];
    const kept = keep(['c_total'], text);
    expect(kept).toEqual(['# TYPE c counter', 'c_total 3', 'c_created 1700000000']);
    expect(selectFamilies(kept.join('\n'), ['c_total'])).toBe(selectFamilies(text.join('\n'), ['c_total']));
  });
});
