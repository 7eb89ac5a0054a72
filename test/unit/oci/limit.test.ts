import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../../src/oci/index.ts';

describe('createLimiter', () => {
  it('never runs more than its bound at once, also when tasks arrive as others finish', async () => {
    const limit = createLimiter(3);
    let running = 0;
    let peak = 0;
    const task = (ms: number) => async () => {
      running += 1;
      peak = Math.max(peak, running);
      await sleep(ms);
      running -= 1;
      return ms;
    };
    const first = Array.from({ length: 5 }, (_, i) => limit(task(5 + i)));
    // Arrives while the first tasks hand their slots over.
    await first[0];
    const late = Array.from({ length: 5 }, () => limit(task(3)));
    expect(await Promise.all([...first, ...late])).toEqual([5, 6, 7, 8, 9, 3, 3, 3, 3, 3]);
    expect(peak).toBe(3);
    expect(running).toBe(0);
  });

  it('frees the slot of a failed task and refuses a bound below 1', async () => {
    const limit = createLimiter(1);
    await expect(limit(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limit(async () => 'next')).toBe('next');
    expect(() => createLimiter(0)).toThrow(/at least 1/);
  });
});
