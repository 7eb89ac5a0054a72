import type { SampleSink } from '../metrics/sample.ts';
import type { QuotaState } from '../serving/rate-limiter.ts';
import type { RegistryRequestRecord } from './types.ts';

/** Request records kept in memory for requests(); samples carry every request regardless. */
const recordLimit = 100_000;

/**
 * Keeps the recent request records and streams every one as a `registry`/`request` sample (value:
 * seconds), and the quota left after each counted pull as a `registry`/`quota` sample. Labels
 * carry identities (user names, `anonymous:<ip>`), never credentials.
 */
export class RegistryAccounting {
  private records: RegistryRequestRecord[] = [];

  constructor(private readonly sink: SampleSink | undefined) {}

  record(record: RegistryRequestRecord): void {
    this.records.push(record);
    if (this.records.length > recordLimit * 2) this.records = this.records.slice(-recordLimit);
    this.sink?.write({
      ts: record.ts,
      kind: 'registry',
      name: 'request',
      value: record.durationMs / 1000,
      labels: {
        identity: record.identity,
        repository: record.repository,
        route: record.route,
        method: record.method,
        status: String(record.status),
        ...(record.pull ? { pull: 'true' } : {}),
        ...(record.limited ? { limited: 'true' } : {}),
      },
      detail: { bytesIn: record.bytesIn, bytesOut: record.bytesOut },
    });
  }

  /** The quota an identity has left after a counted pull (value: pulls left; detail: limit, reset). */
  quota(ts: number, identity: string, quota: QuotaState): void {
    this.sink?.write({ ts, kind: 'registry', name: 'quota', value: quota.remaining, labels: { identity }, detail: { limit: quota.limit, resetAt: quota.resetAt } });
  }

  /** The most recent records (up to 100,000), oldest first. */
  requests(): RegistryRequestRecord[] {
    return this.records.slice(-recordLimit);
  }
}
