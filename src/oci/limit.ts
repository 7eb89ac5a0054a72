/**
 * A bound on how many pushes run at once: each push is a CLI process and several registry
 * requests, so hundreds of them at once would measure this machine's scheduler, not the registry.
 */

/** Runs tasks with at most `concurrency` in flight, in the order they were handed in. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimiter(concurrency: number): Limiter {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency ${concurrency}: must be a whole number of at least 1`);
  let running = 0;
  const waiting: Array<() => void> = [];
  // A finishing task hands its slot straight to the next waiting one, so a task arriving
  // meanwhile cannot take it as well.
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
