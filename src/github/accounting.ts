import type { SampleSink } from '../metrics/sample.ts';
import type { PackStats } from './git-processes.ts';
import type { TrafficCategory } from './options.ts';

/** What serving one git RPC cost the host. */
export interface GitCost {
  /** Wall time of the git child (spawn to exit, or to the moment the client went away), seconds. */
  hostSeconds: number;
  /** User + system CPU of git and its children (upload-pack's pack-objects); absent when it was killed. */
  cpuSeconds?: number;
  /** False when the client went away (or the request failed) before git finished. */
  complete: boolean;
  /** pack-objects' summary, for an upload-pack that sent a pack. */
  pack?: PackStats;
}

/** One request, as the fake GitHub saw it. */
export interface RequestRecord {
  /** ms since epoch when the request arrived. */
  ts: number;
  identity: string;
  /** `owner/repo`, or '' for routes without one. */
  repo: string;
  route: string;
  category: TrafficCategory | 'admin';
  method: string;
  /** 0 when the connection was reset by a fault. */
  status: number;
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
  /** Set when a rate limit refused it. */
  limited?: 'primary' | 'concurrency' | 'points';
  /** git RPCs (upload-pack, receive-pack): what serving it cost the host. */
  git?: GitCost;
}

/**
 * Keeps the recent request records and streams every one as a `github`/`request` sample.
 * The in-memory list is bounded; the sink gets everything.
 */
export class Accounting {
  private records: RequestRecord[] = [];
  private total = 0;
  private readonly byStatus = new Map<number, number>();

  constructor(
    private readonly sink: SampleSink | undefined,
    private readonly recordLimit: number,
  ) {}

  record(record: RequestRecord): void {
    this.total += 1;
    this.byStatus.set(record.status, (this.byStatus.get(record.status) ?? 0) + 1);
    this.records.push(record);
    if (this.records.length > this.recordLimit * 2) this.records = this.records.slice(-this.recordLimit);
    this.sink?.write({
      ts: record.ts,
      kind: 'github',
      name: 'request',
      value: record.durationMs / 1000,
      labels: { identity: record.identity, repo: record.repo, route: record.route, method: record.method, status: String(record.status) },
      detail: { bytesIn: record.bytesIn, bytesOut: record.bytesOut, ...(record.limited ? { limited: record.limited } : {}), ...(record.git ? gitDetail(record.git) : {}) },
    });
  }

  quota(ts: number, identity: string, remaining: number, limit: number): void {
    this.sink?.write({ ts, kind: 'github', name: 'quota_remaining', value: remaining, labels: { identity } });
    this.sink?.write({ ts, kind: 'github', name: 'quota_limit', value: limit, labels: { identity } });
  }

  /** The most recent records (up to recordLimit), oldest first. */
  requests(): RequestRecord[] {
    return this.records.slice(-this.recordLimit);
  }

  counts(): { total: number; byStatus: Record<string, number> } {
    return { total: this.total, byStatus: Object.fromEntries([...this.byStatus].map(([k, v]) => [String(k), v])) };
  }
}

/** A git RPC's cost as sample detail: hostSeconds, hostCpuSeconds, cutShort, pack. */
function gitDetail(cost: GitCost): Record<string, unknown> {
  return {
    hostSeconds: cost.hostSeconds,
    ...(cost.cpuSeconds !== undefined ? { hostCpuSeconds: cost.cpuSeconds } : {}),
    ...(cost.complete ? {} : { cutShort: true }),
    ...(cost.pack ? { pack: cost.pack } : {}),
  };
}

/**
 * When a quota runs out at a steady request rate: `remaining / rate`, unless the window resets
 * first (then it never does in this window).
 */
export function predictTimeToExhaustion(params: { remaining: number; ratePerSecond: number; msUntilReset: number }): { exhausts: boolean; ms: number } {
  if (params.remaining <= 0) return { exhausts: true, ms: 0 };
  if (params.ratePerSecond <= 0) return { exhausts: false, ms: Infinity };
  const ms = (params.remaining / params.ratePerSecond) * 1000;
  return ms < params.msUntilReset ? { exhausts: true, ms } : { exhausts: false, ms };
}

export interface ExhaustionComparison {
  identity: string;
  /** Counted requests before the quota ran out, per second. */
  ratePerSecond: number;
  /** limit / rate, in ms from the first counted request. */
  predictedMs: number;
  /** From the first counted request to the first primary-limit refusal; undefined if none. */
  observedMs?: number;
  /** observed / predicted (1 = the prediction was exact). */
  ratio?: number;
}

/**
 * Compares the predicted time to exhaustion (from the request rate the identity actually
 * sustained) with the observed one, over one window's records.
 */
export function compareExhaustion(records: readonly RequestRecord[], identity: string, limit: number): ExhaustionComparison {
  const mine = records.filter((r) => r.identity === identity && r.category !== 'admin');
  const firstRefusal = mine.find((r) => r.limited === 'primary');
  const counted = mine.filter((r) => r.limited === undefined && (firstRefusal === undefined || r.ts <= firstRefusal.ts));
  const start = counted[0]?.ts;
  if (start === undefined) return { identity, ratePerSecond: 0, predictedMs: Infinity };
  const end = counted[counted.length - 1]!.ts;
  const spanSeconds = Math.max((end - start) / 1000, 1e-3);
  // n requests span n-1 gaps; the rate between them is what a steady client sustains.
  const ratePerSecond = counted.length > 1 ? (counted.length - 1) / spanSeconds : 0;
  const predictedMs = ratePerSecond > 0 ? (limit / ratePerSecond) * 1000 : Infinity;
  const observedMs = firstRefusal ? firstRefusal.ts - start : undefined;
  return {
    identity,
    ratePerSecond,
    predictedMs,
    ...(observedMs !== undefined ? { observedMs, ratio: predictedMs > 0 && Number.isFinite(predictedMs) ? observedMs / predictedMs : undefined } : {}),
  } as ExhaustionComparison;
}
