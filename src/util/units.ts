/**
 * Parsing and formatting of the units scenarios and reports speak: Go-style durations
 * ("1m30s", "250ms") and Kubernetes quantities ("512Mi", "1G", "1.5Gi").
 */

const durationUnitsMs: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go-style duration ("1h2m3s", "500ms", "90s") or a bare number of seconds into ms. */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new Error(`invalid duration ${input}: must be a non-negative number of seconds`);
    return input * 1000;
  }
  const text = input.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(text); match; match = part.exec(text)) {
    total += Number(match[1]) * (durationUnitsMs[match[2]!] ?? 0);
    consumed = part.lastIndex;
  }
  if (consumed === 0 || consumed !== text.length) {
    throw new Error(`invalid duration "${input}": use a number with a unit of ms, s, m or h, e.g. "90s", "1m30s", "250ms"`);
  }
  return total;
}

/** Formats ms as a compact Go-style duration: 1500 → "1.5s", 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${round(ms, 1)}ms`;
  if (ms < 60_000) return `${round(ms / 1000, 2)}s`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}` || '0s';
}

const quantitySuffixes: Record<string, number> = {
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** Parses a Kubernetes quantity ("512Mi", "1G", "1.5Gi", "1000") into a number (bytes for memory). */
export function parseQuantity(input: string | number): number {
  if (typeof input === 'number') return input;
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|K|M|G|T)?$/.exec(input.trim());
  if (!match) {
    throw new Error(`invalid quantity "${input}": use a number with an optional suffix Ki, Mi, Gi, Ti, k, M, G or T, e.g. "512Mi"`);
  }
  return Math.round(Number(match[1]) * (quantitySuffixes[match[2] ?? ''] ?? 1));
}

/** Formats bytes with binary units: 1536 → "1.5Ki", 1073741824 → "1Gi". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const units = ['', 'Ki', 'Mi', 'Gi', 'Ti'];
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${bytes < 0 ? '-' : ''}${round(value, 2)}${units[unit]}${unit === 0 ? 'B' : ''}`;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
