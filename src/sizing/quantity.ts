/**
 * Memory limits as a Kubernetes manifest would carry them: whole Mi or Gi, rounded up to a
 * step that grows with the size (nobody sets a limit of 183Mi; 192Mi, yes).
 */
const Mi = 1024 ** 2;
const Gi = 1024 ** 3;

/** The step a limit of this size is rounded up to. */
function stepFor(bytes: number): number {
  if (bytes <= 256 * Mi) return 32 * Mi;
  if (bytes <= Gi) return 64 * Mi;
  if (bytes <= 4 * Gi) return 256 * Mi;
  return 512 * Mi;
}

/** Rounds bytes up to a Kubernetes-friendly memory quantity (in bytes). */
export function roundUpMemory(bytes: number): number {
  if (!Number.isFinite(bytes) || bytes <= 0) throw new Error(`cannot size a memory limit from ${bytes} bytes`);
  const step = stepFor(bytes);
  return Math.ceil(bytes / step) * step;
}

/** The exact quantity text of a byte count: "1Gi", "192Mi", "64Ki", or plain bytes. */
export function formatMemoryQuantity(bytes: number): string {
  for (const [suffix, unit] of [['Ti', 1024 ** 4], ['Gi', Gi], ['Mi', Mi], ['Ki', 1024]] as const) {
    if (bytes >= unit && bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return String(Math.round(bytes));
}
