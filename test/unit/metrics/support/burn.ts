/**
 * Keeps the calling thread busy until this process has used `ms` more of CPU (at most 10 s of
 * wall time): a set amount of work whatever else the machine runs.
 */
export function burn(ms: number): void {
  const start = process.cpuUsage();
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return;
  }
  throw new Error(`could not use ${ms} ms of CPU in 10 s`);
}
