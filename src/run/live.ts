import { readPendingSample } from '../metrics/lag-pending.ts';
import type { Sample, SampleSink } from '../metrics/sample.ts';
import { formatBytes, formatDuration } from '../util/units.ts';

/**
 * What the live view shows, folded from the sample stream as it passes: phase, objects Ready,
 * RSS per controller, lag so far, 403/429 so far. Pure, so the view is testable.
 */
export class LiveStatus implements SampleSink {
  phase = 'starting';
  ready: number | undefined;
  total: number | undefined;
  readonly rss = new Map<string, number>();
  readonly lag: number[] = [];
  /** Commits pushed and not applied yet, as last sampled: (commit, object) pairs and the oldest's age. */
  pending: { pairs: number; oldestSeconds: number } | undefined;
  status403 = 0;
  status429 = 0;
  restarts = 0;
  private readyByKind = new Map<string, number>();
  private totalByKind = new Map<string, number>();

  write(sample: Sample): void {
    switch (sample.kind) {
      case 'phase':
        this.phase = sample.name;
        break;
      case 'controller':
        if (sample.name === 'rss_bytes' && sample.value !== undefined) {
          const id = sample.labels?.shard ? `${sample.labels.controller}/${sample.labels.shard}` : (sample.labels?.controller ?? '?');
          this.rss.set(id, sample.value);
        }
        break;
      case 'objects': {
        const kind = sample.labels?.kind ?? 'all';
        if (sample.name === 'ready') this.readyByKind.set(kind, sample.value ?? 0);
        if (sample.name === 'total') this.totalByKind.set(kind, sample.value ?? 0);
        this.ready = sum(this.readyByKind);
        this.total = sum(this.totalByKind);
        break;
      }
      case 'lag':
        if (sample.name === 'applied' && sample.value !== undefined) this.lag.push(sample.value);
        break;
      case 'pending':
        this.pending = readPendingSample(sample) ?? this.pending;
        break;
      case 'github':
        if (sample.name === 'request') {
          if (sample.labels?.status === '403') this.status403 += 1;
          if (sample.labels?.status === '429') this.status429 += 1;
        }
        break;
      case 'process':
        if (sample.name === 'restart') this.restarts += 1;
        break;
      default:
        break;
    }
  }

  /** Ready objects of the given kinds, as last reported. */
  readyOf(kinds: readonly string[]): number {
    return kinds.reduce((n, kind) => n + (this.readyByKind.get(kind) ?? 0), 0);
  }

  /** One line: `measure | ready 12/12 | rss source 60Mi kustomize 45Mi | lag p50 2.1s max 4s (9) pending 3 oldest 40s | 403 0 429 0`. */
  line(elapsedMs: number): string {
    const parts = [`${formatDuration(elapsedMs).padStart(6)} ${this.phase}`];
    if (this.total !== undefined) parts.push(`ready ${this.ready ?? 0}/${this.total}`);
    if (this.rss.size) parts.push(`rss ${[...this.rss].map(([id, v]) => `${id.replace('-controller', '')} ${formatBytes(v)}`).join(' ')}`);
    const lag: string[] = [];
    if (this.lag.length) {
      const sorted = [...this.lag].sort((a, b) => a - b);
      const p50 = sorted[Math.floor((sorted.length - 1) / 2)]!;
      lag.push(`p50 ${formatDuration(p50 * 1000)} max ${formatDuration(sorted.at(-1)! * 1000)} (${sorted.length})`);
    }
    // Commits without lag yet: during an outage the only sign in the lag part.
    if (this.pending && this.pending.pairs > 0) lag.push(`pending ${this.pending.pairs} oldest ${formatDuration(this.pending.oldestSeconds * 1000)}`);
    if (lag.length) parts.push(`lag ${lag.join(' ')}`);
    parts.push(`403 ${this.status403} 429 ${this.status429}`);
    if (this.restarts) parts.push(`restarts ${this.restarts}`);
    return parts.join(' | ');
  }
}

function sum(map: Map<string, number>): number {
  let total = 0;
  for (const v of map.values()) total += v;
  return total;
}

/** Fans one sample out to several sinks (the NDJSON file, the live view). */
export function teeSink(...sinks: SampleSink[]): SampleSink {
  return { write: (sample) => sinks.forEach((s) => s.write(sample)) };
}
