import { describe, expect, it } from 'vitest';
import { apfMeasurement } from '../../../src/measurements/apf.ts';
import { apfReadings, apfSamples } from '../../../src/metrics/apf.ts';
import { parsePrometheusText } from '../../../src/metrics/prometheus.ts';
import type { Sample } from '../../../src/metrics/sample.ts';

/** An excerpt of kube-apiserver's /metrics shape for APF, two flow schemas in workload-low. */
function scrape(o: { inqueue: number; dispatched: number; rejected: number; waitBuckets: [number, number, number, number]; seats?: number }): string {
  const [b01, b1, b10, inf] = o.waitBuckets;
  return [
    '# HELP apiserver_flowcontrol_current_inqueue_requests [BETA] Number of requests currently pending in queues of the API Priority and Fairness subsystem',
    '# TYPE apiserver_flowcontrol_current_inqueue_requests gauge',
    `apiserver_flowcontrol_current_inqueue_requests{flow_schema="service-accounts",priority_level="workload-low"} ${o.inqueue - 1}`,
    'apiserver_flowcontrol_current_inqueue_requests{flow_schema="kube-controller-manager",priority_level="workload-low"} 1',
    'apiserver_flowcontrol_current_inqueue_requests{flow_schema="system-nodes",priority_level="system"} 0',
    '# TYPE apiserver_flowcontrol_current_executing_seats gauge',
    'apiserver_flowcontrol_current_executing_seats{flow_schema="service-accounts",priority_level="workload-low"} 20',
    '# TYPE apiserver_flowcontrol_current_limit_seats gauge',
    `apiserver_flowcontrol_current_limit_seats{priority_level="workload-low"} ${o.seats ?? 24}`,
    'apiserver_flowcontrol_current_limit_seats{priority_level="exempt"} 0',
    '# TYPE apiserver_flowcontrol_nominal_limit_seats gauge',
    'apiserver_flowcontrol_nominal_limit_seats{priority_level="workload-low"} 49',
    'apiserver_flowcontrol_nominal_limit_seats{priority_level="system"} 12',
    '# TYPE apiserver_flowcontrol_dispatched_requests_total counter',
    `apiserver_flowcontrol_dispatched_requests_total{flow_schema="service-accounts",priority_level="workload-low"} ${o.dispatched}`,
    'apiserver_flowcontrol_dispatched_requests_total{flow_schema="system-nodes",priority_level="system"} 7',
    '# TYPE apiserver_flowcontrol_rejected_requests_total counter',
    `apiserver_flowcontrol_rejected_requests_total{flow_schema="service-accounts",priority_level="workload-low",reason="queue-full"} ${o.rejected}`,
    '# TYPE apiserver_flowcontrol_request_wait_duration_seconds histogram',
    `apiserver_flowcontrol_request_wait_duration_seconds_bucket{execute="true",flow_schema="service-accounts",priority_level="workload-low",le="0.1"} ${b01}`,
    `apiserver_flowcontrol_request_wait_duration_seconds_bucket{execute="true",flow_schema="service-accounts",priority_level="workload-low",le="1"} ${b1}`,
    `apiserver_flowcontrol_request_wait_duration_seconds_bucket{execute="true",flow_schema="service-accounts",priority_level="workload-low",le="10"} ${b10}`,
    `apiserver_flowcontrol_request_wait_duration_seconds_bucket{execute="true",flow_schema="service-accounts",priority_level="workload-low",le="+Inf"} ${inf}`,
    `apiserver_flowcontrol_request_wait_duration_seconds_sum{execute="true",flow_schema="service-accounts",priority_level="workload-low"} 1`,
    `apiserver_flowcontrol_request_wait_duration_seconds_count{execute="true",flow_schema="service-accounts",priority_level="workload-low"} ${inf}`,
    // Requests that were refused after waiting: not part of the wait of requests that ran.
    'apiserver_flowcontrol_request_wait_duration_seconds_bucket{execute="false",flow_schema="service-accounts",priority_level="workload-low",le="0.1"} 0',
    'apiserver_flowcontrol_request_wait_duration_seconds_bucket{execute="false",flow_schema="service-accounts",priority_level="workload-low",le="+Inf"} 500',
    '',
  ].join('\n');
}

const readingsOf = (text: string) => apfReadings(parsePrometheusText(text));

describe('APF readings and samples from the API server metrics', () => {
  it('sums each priority level over its flow schemas and prefers the current seat limit to the nominal one', () => {
    const readings = readingsOf(scrape({ inqueue: 5, dispatched: 1000, rejected: 2, waitBuckets: [900, 990, 1000, 1000] }));
    const low = readings.get('workload-low')!;
    expect(low).toMatchObject({ inqueue: 5, executingSeats: 20, limitSeats: 24, dispatched: 1000, rejected: 2 });
    expect(low.waitBuckets.at(-1)).toEqual({ le: Number.POSITIVE_INFINITY, count: 1000 });
    expect(readings.get('system')).toMatchObject({ limitSeats: 12, dispatched: 7 });
    expect(readingsOf('# TYPE apiserver_request_total counter\napiserver_request_total{verb="GET"} 3\n').size).toBe(0);
  });

  it('writes gauges every scrape, counters and the wait p95 only as what happened since the previous scrape', () => {
    const first = readingsOf(scrape({ inqueue: 5, dispatched: 1000, rejected: 2, waitBuckets: [900, 990, 1000, 1000] }));
    const firstSamples = apfSamples(first, undefined, 1);
    // No counter deltas yet: traffic from before the run is not the run's.
    expect(firstSamples.filter((s) => s.labels!.priorityLevel === 'workload-low').map((s) => s.name)).toEqual(['inqueue', 'executing_seats', 'limit_seats']);
    // exempt never dispatched nor queued anything: left out.
    expect(firstSamples.some((s) => s.labels!.priorityLevel === 'exempt')).toBe(false);

    // 100 more requests ran, 90 of them after waiting between 1 s and 10 s; 3 more refused.
    const second = readingsOf(scrape({ inqueue: 40, dispatched: 1100, rejected: 5, waitBuckets: [905, 1000, 1100, 1100] }));
    const byName = new Map(apfSamples(second, first, 2).filter((s) => s.labels!.priorityLevel === 'workload-low').map((s) => [s.name, s]));
    expect(byName.get('inqueue')!.value).toBe(40);
    expect(byName.get('dispatched')!.value).toBe(100);
    expect(byName.get('rejected')!.value).toBe(3);
    const wait = byName.get('wait_p95')!;
    expect(wait.detail).toEqual({ count: 100 });
    expect(wait.value).toBeGreaterThan(1);
    expect(wait.value).toBeLessThanOrEqual(10);

    // A level the API server created after the previous scrape counts from zero.
    const withoutSystem = new Map([...first].filter(([level]) => level !== 'system'));
    const system = apfSamples(second, withoutSystem, 2).find((s) => s.labels!.priorityLevel === 'system' && s.name === 'dispatched');
    expect(system?.value).toBe(7);

    // A restarted API server: counters start again, the delta is what it counted since.
    const restarted = readingsOf(scrape({ inqueue: 0, dispatched: 30, rejected: 0, waitBuckets: [30, 30, 30, 30] }));
    const after = new Map(apfSamples(restarted, second, 3).filter((s) => s.labels!.priorityLevel === 'workload-low').map((s) => [s.name, s.value]));
    expect(after.get('dispatched')).toBe(30);
    expect(after.get('rejected')).toBe(0);
  });
});

describe('the apf measurement', () => {
  const samples: Sample[] = [
    { ts: 1, kind: 'apf', name: 'limit_seats', value: 24, labels: { priorityLevel: 'workload-low' } },
    { ts: 1, kind: 'apf', name: 'inqueue', value: 3, labels: { priorityLevel: 'workload-low' } },
    { ts: 2, kind: 'apf', name: 'inqueue', value: 41, labels: { priorityLevel: 'workload-low' } },
    { ts: 2, kind: 'apf', name: 'executing_seats', value: 24, labels: { priorityLevel: 'workload-low' } },
    { ts: 2, kind: 'apf', name: 'dispatched', value: 800, labels: { priorityLevel: 'workload-low' } },
    { ts: 3, kind: 'apf', name: 'dispatched', value: 200, labels: { priorityLevel: 'workload-low' } },
    { ts: 3, kind: 'apf', name: 'rejected', value: 4, labels: { priorityLevel: 'workload-low' } },
    { ts: 2, kind: 'apf', name: 'wait_p95', value: 0.2, labels: { priorityLevel: 'workload-low' } },
    { ts: 3, kind: 'apf', name: 'wait_p95', value: 2.5, labels: { priorityLevel: 'workload-low' } },
    { ts: 3, kind: 'apf', name: 'dispatched', value: 50, labels: { priorityLevel: 'system' } },
  ];
  const input = { sorted: samples, of: () => samples, firstTs: 1, lastTs: 3 };

  it('summarizes per priority level, busiest first, with totals', () => {
    const analysis = apfMeasurement.analyze!(input);
    expect(analysis.apf.map((l) => l.priorityLevel)).toEqual(['workload-low', 'system']);
    expect(analysis.apf[0]).toEqual({ priorityLevel: 'workload-low', limitSeats: 24, executingSeatsMax: 24, inqueueMax: 41, waitP95Max: 2.5, dispatched: 1000, rejected: 4 });
    expect(apfMeasurement.summarize!(analysis)).toMatchObject({
      'apf.rejected': 4,
      'apf.inqueue.max': 41,
      'apf.workload-low.dispatched': 1000,
      'apf.workload-low.wait_p95.max': 2.5,
      'apf.system.rejected': 0,
    });
  });

  it('warns when APF refused requests or made them wait a second or more', () => {
    const warnings = apfMeasurement.warnings!(apfMeasurement.analyze!(input));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/refused 4 request\(s\) of priority level workload-low/);
    expect(warnings[1]).toMatch(/workload-low waited in APF queues up to p95 2\.5s \(24 seats\)/);
    expect(apfMeasurement.summarize!({ apf: [] })).toEqual({});
  });
});

describe('the APF lines of a large /metrics text', () => {
  it('keeps only the flowcontrol families, so the readings are the same from a fraction of the text', async () => {
    const { apfLines } = await import('../../../src/metrics/apf-sampler.ts');
    const noise = Array.from({ length: 2000 }, (_, i) => `apiserver_request_duration_seconds_bucket{verb="GET",le="${i}"} ${i}`).join('\n');
    const text = `# HELP apiserver_request_duration_seconds x\n# TYPE apiserver_request_duration_seconds histogram\n${noise}\n${scrape({ inqueue: 5, dispatched: 1000, rejected: 2, waitBuckets: [900, 990, 1000, 1000] })}`;
    const kept = apfLines(text);
    expect(kept.length).toBeLessThan(text.length / 10);
    expect(kept).not.toContain('apiserver_request_duration_seconds');
    expect(readingsOf(kept)).toEqual(readingsOf(text));
  });
});
