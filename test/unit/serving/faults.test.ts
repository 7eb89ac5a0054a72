import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ManualClock } from '../../../src/serving/clock.ts';
import { faultSpecSchemaFor, parseFaultWith } from '../../../src/serving/fault-spec.ts';
import { FaultController, type FaultBinding } from '../../../src/serving/faults.ts';
import { FaultController as GitHubFaults } from '../../../src/github/faults.ts';
import { createRegistryFaults } from '../../../src/registry/faults.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';
import type { Sample, SampleSink } from '../../../src/metrics/sample.ts';

class MemorySink implements SampleSink {
  readonly samples: Sample[] = [];
  write(sample: Sample): void {
    this.samples.push(sample);
  }
}

/** A host of its own: faults matched by route and a `queue` name. */
const queueSchema = faultSpecSchemaFor(z.object({ route: z.string().default('*'), queue: z.string().default('*') }).strict());
type QueueFault = z.output<typeof queueSchema>;
const binding: FaultBinding<QueueFault> = {
  parse: (input, where) => parseFaultWith(queueSchema, input, where),
  subject: (spec) => spec.match.queue,
  target: (spec) => `${spec.match.route}/${spec.match.queue}`,
};

describe('the shared fault machinery', () => {
  it("matches any host's route and subject globs with the same fault set", () => {
    const faults = new FaultController(binding, new ManualClock(0), undefined, { random: () => 0.2 });
    faults.add({ type: 'error', rate: 0.5, status: 502, match: { route: 'push', queue: 'jobs-*' } });
    faults.add({ type: 'latency', fixed: '1s', jitter: '1s' });
    faults.add({ type: 'bandwidth', bytesPerSecond: '1Ki', match: { queue: 'big' } });
    expect(faults.decide('push', 'jobs-1')).toEqual({ reset: false, delayMs: 1_200, status: 502 });
    expect(faults.decide('pull', 'jobs-1')).toEqual({ reset: false, delayMs: 1_200 });
    expect(faults.decide('pull', 'big')).toEqual({ reset: false, delayMs: 1_200, bytesPerSecond: 1_024 });
    faults.stop();
  });

  it('names the field of a bad spec, with the allowed types', () => {
    const faults = new FaultController(binding, new ManualClock(0));
    expect(() => faults.add({ type: 'error', match: { repo: 'x' } })).toThrow(UsageError);
    expect(() => faults.add({ type: 'error', match: { repo: 'x' } })).toThrow(/fault\.match: .*repo/);
    expect(() => faults.replace([{ type: 'outage' }, { type: 'flood' }])).toThrow(/faults\[1\]\.type.*type is one of latency, error, reset, outage, bandwidth/);
    expect(faults.list()).toEqual([]);
  });

  it("labels the registry's fault samples with its host and its own ids; the fake GitHub's stay as they were", () => {
    const clock = new ManualClock(5_000);
    const sink = new MemorySink();
    const registry = createRegistryFaults(clock, sink);
    const github = new GitHubFaults(clock, sink);
    const r = registry.add({ type: 'outage', for: '10s', match: { route: 'manifest', repository: 'team-*/*' } });
    const g = github.add({ type: 'outage', match: { route: 'git.*' } });
    expect(r.id).toBe('rf1');
    expect(g.id).toBe('f1');
    expect(registry.decide('manifest', 'team-1/app').status).toBe(503);
    expect(registry.decide('blob', 'team-1/app').status).toBeUndefined();
    clock.advance(10_000);
    expect(registry.decide('manifest', 'team-1/app').status).toBeUndefined();
    github.stop();
    expect(sink.samples.map((s) => ({ name: s.name, ts: s.ts, labels: s.labels, id: s.detail?.id }))).toEqual([
      { name: 'start', ts: 5_000, labels: { fault: 'outage', target: 'manifest@team-*/*', host: 'registry' }, id: 'rf1' },
      { name: 'start', ts: 5_000, labels: { fault: 'outage', target: 'git.*' }, id: 'f1' },
      { name: 'end', ts: 15_000, labels: { fault: 'outage', target: 'manifest@team-*/*', host: 'registry' }, id: 'rf1' },
      { name: 'end', ts: 15_000, labels: { fault: 'outage', target: 'git.*' }, id: 'f1' },
    ]);
  });
});
