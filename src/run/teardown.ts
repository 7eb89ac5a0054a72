/**
 * One teardown stack per run: every phase registers the stop of what it started, the moment it
 * started it, and the run unwinds the stack once, last started first (k6's nested contexts and
 * `defer`, testcontainers' handles). Nothing is torn down by a function that has to know
 * everything the run started.
 */
export class TeardownStack {
  private readonly entries: Array<{ name: string; stop: () => Promise<void> | void }> = [];
  private unwinding: Promise<void> | undefined;

  /** Registers `stop` for `name` (what the log says when it fails). */
  defer(name: string, stop: () => Promise<void> | void): void {
    if (this.unwinding) throw new Error(`teardown: "${name}" registered after teardown began`);
    this.entries.push({ name, stop });
  }

  /**
   * Runs every stop, last registered first, each once; a stop that throws is logged and the
   * rest still run. A second call waits for the first.
   */
  unwind(log: (line: string) => void): Promise<void> {
    this.unwinding ??= (async () => {
      for (const entry of [...this.entries].reverse()) {
        try {
          await entry.stop();
        } catch (err) {
          log(`teardown: ${entry.name}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })();
    return this.unwinding;
  }
}
