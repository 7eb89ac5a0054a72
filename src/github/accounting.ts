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
  /** hooks.generic: the Flux event it carried. */
  event?: HookEvent;
}

/**
 * The parts of a Flux event (fluxcd/pkg/apis/event v1beta1) a generic webhook received that a
 * report needs: which object, why, at which revision. The message is left out: it is free text
 * from the controllers, sized by their errors.
 */
export interface HookEvent {
  kind: string;
  namespace: string;
  name: string;
  /** Flux's event reason (ReconciliationSucceeded, HealthCheckFailed, …). */
  reason: string;
  /** info | error */
  severity: string;
  /** metadata.revision, when the controller set one. */
  revision?: string;
}

/** Requests that named one repository (`owner/repo`), since the server started. */
export interface RepoRequestCounts {
  requests: number;
  /** Of those, by traffic category: git smart-HTTP, REST, pages, generic webhooks. */
  git: number;
  rest: number;
  pages: number;
  hooks: number;
  /** Refused by a rate limit (403 or 429 with `limited` set). */
  limited: number;
  /** Answered 4xx for another reason (credentials, not found, forbidden). */
  clientErrors: number;
  /** Answered 5xx, or cut without an answer (status 0). */
  failed: number;
  /** Bytes, headers included. */
  bytesIn: number;
  bytesOut: number;
}

/** Request totals since the server started; `byRepo` leaves out requests naming no repository. */
export interface RequestCounts {
  total: number;
  /** HTTP status (0 = cut without an answer) → requests. */
  byStatus: Record<string, number>;
  /** `owner/repo` → its counts; past `repoKeyLimit` names, new ones are summed under `otherRepos`. */
  byRepo: Record<string, RepoRequestCounts>;
}

/**
 * Repository names counted one by one. A workload has at most 20,000 repositories (one per app),
 * but a client can name any number that do not exist; past this many, counts go to `otherRepos`.
 */
export const repoKeyLimit = 50_000;
export const otherRepos = '(other repositories)';

/**
 * Keeps the recent request records and per-repository counters, and streams every request as a
 * `github`/`request` sample (labelled with its repository). The in-memory list is bounded, and so
 * are the counters (one per repository); the sink gets everything.
 */
export class Accounting {
  private records: RequestRecord[] = [];
  private total = 0;
  private readonly byStatus = new Map<number, number>();
  private readonly byRepo = new Map<string, RepoRequestCounts>();

  constructor(
    private readonly sink: SampleSink | undefined,
    private readonly recordLimit: number,
  ) {}

  record(record: RequestRecord): void {
    this.total += 1;
    this.byStatus.set(record.status, (this.byStatus.get(record.status) ?? 0) + 1);
    if (record.repo !== '') this.countRepo(record);
    this.records.push(record);
    if (this.records.length > this.recordLimit * 2) this.records = this.records.slice(-this.recordLimit);
    this.sink?.write({
      ts: record.ts,
      kind: 'github',
      name: 'request',
      value: record.durationMs / 1000,
      labels: { identity: record.identity, repo: record.repo, route: record.route, method: record.method, status: String(record.status) },
      detail: { bytesIn: record.bytesIn, bytesOut: record.bytesOut, ...(record.limited ? { limited: record.limited } : {}), ...(record.git ? gitDetail(record.git) : {}), ...(record.event ? { event: record.event } : {}) },
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

  counts(): RequestCounts {
    return {
      total: this.total,
      byStatus: Object.fromEntries([...this.byStatus].map(([k, v]) => [String(k), v])),
      byRepo: Object.fromEntries([...this.byRepo].map(([repo, c]) => [repo, { ...c }])),
    };
  }

  private countRepo(record: RequestRecord): void {
    const key = this.byRepo.has(record.repo) || this.byRepo.size < repoKeyLimit ? record.repo : otherRepos;
    let c = this.byRepo.get(key);
    if (!c) this.byRepo.set(key, (c = { requests: 0, git: 0, rest: 0, pages: 0, hooks: 0, limited: 0, clientErrors: 0, failed: 0, bytesIn: 0, bytesOut: 0 }));
    c.requests += 1;
    if (record.category !== 'admin') c[record.category] += 1;
    if (record.limited) c.limited += 1;
    else if (record.status >= 400 && record.status < 500) c.clientErrors += 1;
    if (record.status === 0 || record.status >= 500) c.failed += 1;
    c.bytesIn += record.bytesIn;
    c.bytesOut += record.bytesOut;
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
