/**
 * Ctrl-C, SIGTERM and an uncaught error all lead to the same orderly teardown. A second
 * signal while tearing down is ignored (teardown is what it asked for anyway) except a third,
 * which exits at once: the watchdog then finishes the job.
 */
export function onTermination(teardown: (reason: string) => Promise<void>): () => void {
  let signals = 0;
  const handler = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals === 1) void teardown(signal);
    else if (signals >= 3) process.exit(130);
  };
  const onError = (err: unknown): void => {
    console.error(err);
    void teardown('uncaught error').finally(() => process.exit(3));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  };
}
