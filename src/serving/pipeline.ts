/**
 * A middleware sees the request before the next stage and may answer it itself instead of
 * calling `next` (a refusal); whatever it does after `await next()` runs once the later stages
 * have finished.
 */
export type Middleware<C> = (ctx: C, next: () => Promise<void>) => Promise<void>;

/** The last stage: answers the request. */
export type Handler<C> = (ctx: C) => Promise<void>;

/**
 * Chains middleware in the order given, ending in `handler`. The first middleware runs
 * synchronously up to its first `await`, so it sees the request as it arrived.
 * @throws Error (through the returned promise) when a middleware calls `next` twice.
 */
export function compose<C>(middleware: readonly Middleware<C>[], handler: Handler<C>): Handler<C> {
  return (ctx) => {
    let reached = -1;
    const run = (index: number): Promise<void> => {
      if (index <= reached) return Promise.reject(new Error('middleware called next() more than once'));
      reached = index;
      const stage = middleware[index];
      return stage ? stage(ctx, () => run(index + 1)) : handler(ctx);
    };
    return run(0);
  };
}
