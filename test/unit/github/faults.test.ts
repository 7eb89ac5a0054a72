import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/github/clock.ts';
import { FaultController, parseFaultSpec } from '../../../src/github/faults.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';
import { MemorySink } from './helpers.ts';

describe('FaultController', () => {
  it('matches faults by route and repo globs and combines them', () => {
    const clock = new ManualClock(1000);
    const values = [0.1, 0.9, 0.5];
    let i = 0;
    const faults = new FaultController(clock, undefined, () => values[i++ % values.length]!);
    faults.add({ type: 'latency', match: { route: 'git.*' }, fixed: '100ms', jitter: '50ms' });
    faults.add({ type: 'error', match: { repo: 'acme/*' }, rate: 0.5, status: 502 });
    faults.add({ type: 'bandwidth', bytesPerSecond: '1Mi' });
    const d = faults.decide('git.upload-pack', 'acme/app');
    expect(d.delayMs).toBeCloseTo(105);
    expect(d.status).toBeUndefined();
    expect(d.bytesPerSecond).toBe(1024 * 1024);
    const again = faults.decide('git.upload-pack', 'acme/app');
    expect(again.status).toBe(502);
    expect(faults.decide('rest.repo', 'other/app')).toEqual({ reset: false, delayMs: 0, bytesPerSecond: 1024 * 1024 });
    faults.stop();
  });

  it('records start and end samples, and ends windowed faults by themselves', () => {
    const clock = new ManualClock(10_000);
    const sink = new MemorySink();
    const faults = new FaultController(clock, sink);
    const outage = faults.add({ type: 'outage', for: '30s' });
    expect(outage.until).toBe(40_000);
    expect(faults.decide('rest.repo', 'a/b').status).toBe(503);
    clock.advance(30_000);
    expect(faults.decide('rest.repo', 'a/b').status).toBeUndefined();
    const reset = faults.add({ type: 'reset', match: { route: 'pages' } });
    expect(faults.remove(reset.id)).toBe(true);
    expect(faults.remove(reset.id)).toBe(false);
    expect(sink.samples.map((s) => `${s.name}:${s.labels?.fault}:${s.labels?.target}:${s.ts}`)).toEqual([
      'start:outage:*:10000',
      'end:outage:*:40000',
      'start:reset:pages:40000',
      'end:reset:pages:40000',
    ]);
    faults.stop();
  });

  it('refuses bad fault specs with a UsageError naming the field', () => {
    expect(() => parseFaultSpec({ type: 'meteor' })).toThrow(UsageError);
    expect(() => parseFaultSpec({ type: 'error', rate: 2 })).toThrow(/fault\.rate/);
    expect(() => parseFaultSpec({ type: 'latency', fixed: 'soon' })).toThrow(/fault\.fixed/);
  });
});
