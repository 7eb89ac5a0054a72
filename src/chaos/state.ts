/**
 * What the actions of one timeline run share while it runs (churn.stop finds the churn that
 * churn.start started), without the executor knowing what any of it is: each action keeps its
 * own slot and registers how its leftovers end when the run stops.
 */
export class ChaosRunState {
  private readonly slots = new Map<string, unknown>();
  private readonly stoppers: Array<() => Promise<void>> = [];

  /** The value kept under `key`, made by `create` on first use. Keys are the action's name. */
  slot<T>(key: string, create: () => T): T {
    if (!this.slots.has(key)) this.slots.set(key, create());
    return this.slots.get(key) as T;
  }

  /** Registers what ends an action's leftovers when the run stops (after every undo has run). */
  onStop(stop: () => Promise<void>): void {
    this.stoppers.push(stop);
  }

  /** Runs every registered stop, in parallel; called once by the timeline's stop(). */
  async stop(): Promise<void> {
    const stoppers = this.stoppers.splice(0);
    await Promise.all(stoppers.map((stop) => stop()));
  }
}
